package org.openepaccs;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openepaccs.fhir.FhirServerInterceptor;
import org.openepaccs.fhir.FhirStorageInterceptor;

import org.springframework.core.annotation.Order;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package rules of {@code docs/architecture.md}, checked on the compiled main
 * classes: no cycles between packages, and each package uses only the packages the table
 * below (the same as the document's) allows.
 */
class ArchitectureTest {

	/** Which of our packages each package may use; the root package may use all. */
	static final Map<String, Set<String>> MAY_USE = Map.ofEntries(Map.entry("common", Set.of()),
			Map.entry("fhir", Set.of("common")), Map.entry("storage", Set.of("fhir", "common")),
			Map.entry("budget", Set.of("fhir", "common")), Map.entry("errors", Set.of("fhir", "common")),
			Map.entry("http", Set.of("fhir", "common")),
			Map.entry("requests", Set.of("http", "errors", "fhir", "common")),
			Map.entry("conformance", Set.of("fhir", "common")),
			Map.entry("records", Set.of("conformance", "fhir", "common")),
			Map.entry("security", Set.of("budget", "fhir", "common")),
			Map.entry("audit", Set.of("security", "records", "fhir", "common")),
			Map.entry("notification", Set.of("security", "fhir", "common")),
			Map.entry("register", Set.of("records", "conformance", "fhir", "common")),
			Map.entry("summary", Set.of("audit", "records", "conformance", "fhir", "common")),
			Map.entry("population", Set.of("records", "conformance", "common")),
			Map.entry("metrics", Set.of("records", "conformance", "fhir", "common")),
			Map.entry("export", Set.of("security", "fhir", "common")), Map.entry("viewer", Set.of("common")),
			Map.entry("dashboard", Set.of("common")));

	private static JavaClasses main;

	@BeforeAll
	static void importMainClasses() {
		main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages("org.openepaccs");
	}

	@Test
	void packagesDependOnEachOtherWithoutCycles() {
		ArchRule rule = slices().matching("org.openepaccs.(*)..").should().beFreeOfCycles();
		rule.check(main);
	}

	@Test
	void everyPackageIsInTheTable() {
		Set<String> packages = new TreeSet<>();
		for (JavaClass type : main) {
			String name = type.getPackageName();
			if (name.startsWith("org.openepaccs.")) {
				packages.add(name.substring("org.openepaccs.".length()).split("\\.")[0]);
			}
		}
		assertThat(packages).as("packages missing from ArchitectureTest.MAY_USE and docs/architecture.md")
			.isSubsetOf(MAY_USE.keySet());
	}

	@Test
	void eachPackageUsesOnlyThePackagesItMay() {
		for (Map.Entry<String, Set<String>> entry : MAY_USE.entrySet()) {
			List<String> forbidden = MAY_USE.keySet()
				.stream()
				.filter((other) -> !other.equals(entry.getKey()) && !entry.getValue().contains(other))
				.map((other) -> "org.openepaccs." + other + "..")
				.toList();
			ArchRule rule = noClasses().that()
				.resideInAPackage("org.openepaccs." + entry.getKey() + "..")
				.should()
				.dependOnClassesThat()
				.resideInAnyPackage(forbidden.toArray(String[]::new))
				.orShould()
				.dependOnClassesThat()
				.resideInAPackage("org.openepaccs")
				.allowEmptyShould(true);
			rule.check(main);
		}
	}

	@Test
	void interceptorsStateTheirPlaceInTheOrder() {
		ArchRule rule = classes().that()
			.implement(FhirServerInterceptor.class)
			.or()
			.implement(FhirStorageInterceptor.class)
			.should()
			.beAnnotatedWith(Order.class)
			.because("HAPI calls hooks of one pointcut and order in the order they were registered "
					+ "(see InterceptorOrder)");
		rule.check(main);
	}

	@Test
	void onlyTheFhirPackageRegistersWithHapisServer() {
		ArchRule rule = noClasses().that()
			.resideOutsideOfPackage("org.openepaccs.fhir..")
			.should()
			.callMethod(ca.uhn.fhir.rest.server.RestfulServer.class, "registerInterceptor", Object.class)
			.orShould()
			.callMethod(ca.uhn.fhir.rest.server.RestfulServer.class, "registerProvider", Object.class)
			.because("features plug in by type (FhirServerInterceptor, FhirOperationProvider), not by hand");
		rule.check(main);
	}

}
