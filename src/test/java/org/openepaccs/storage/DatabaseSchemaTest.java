package org.openepaccs.storage;

import org.junit.jupiter.api.Test;
import org.openepaccs.storage.DatabaseSchema.Kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class DatabaseSchemaTest {

	@Test
	void postgresqlFourteenOrLaterAndH2AreSupported() {
		assertThat(Kind.of("PostgreSQL", 14)).isEqualTo(Kind.POSTGRESQL);
		assertThat(Kind.of("PostgreSQL", 17)).isEqualTo(Kind.POSTGRESQL);
		assertThat(Kind.of("H2", 2)).isEqualTo(Kind.H2);
	}

	@Test
	void olderPostgresqlIsRefusedWithTheVersionNeeded() {
		assertThatIllegalStateException().isThrownBy(() -> Kind.of("PostgreSQL", 12))
			.withMessageContaining("PostgreSQL 14 or later");
	}

	@Test
	void anyOtherDatabaseIsRefusedSayingWhatToUse() {
		assertThatIllegalStateException().isThrownBy(() -> Kind.of("MySQL", 8))
			.withMessageContaining("Unsupported database 'MySQL'")
			.withMessageContaining("SPRING_DATASOURCE_URL=jdbc:postgresql://");
	}

}
