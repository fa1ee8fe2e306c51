package org.openepaccs.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * A real PostgreSQL server for the integration tests, and fresh, uniquely named databases
 * on it that are dropped when the test run ends (see
 * {@link TestDatabaseSessionListener}), so runs never see each other's data.
 * <p>
 * The server is the one named by {@code EPACCS_TEST_DB_URL} (with
 * {@code EPACCS_TEST_DB_USER} and {@code EPACCS_TEST_DB_PASSWORD}) when set; otherwise a
 * Testcontainers PostgreSQL when a Docker engine answers; otherwise the tests fail with a
 * message saying how to provide one. Never H2: the tests are about PostgreSQL.
 */
public final class TestDatabase {

	private static final String PREFIX = "epaccs_it_";

	private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT);

	private static final Pattern OUR_DATABASE = Pattern.compile(PREFIX + "(\\d{14})_[a-z0-9]+");

	private static final Pattern JDBC_URL = Pattern.compile("(jdbc:postgresql://[^/?]+)(/[^?]*)?(\\?.*)?");

	private static TestDatabase server;

	private static PostgreSQLContainer<?> container;

	private static String shared;

	private final String adminUrl;

	private final String user;

	private final String password;

	private final List<String> created = new ArrayList<>();

	private TestDatabase(String adminUrl, String user, String password) {
		this.adminUrl = adminUrl;
		this.user = user;
		this.password = password;
	}

	/** The PostgreSQL server the tests use, found or started on first use. */
	public static synchronized TestDatabase server() {
		if (server == null) {
			server = locate();
			server.dropLeftoversOfKilledRuns();
		}
		return server;
	}

	/** The database the shared application context of this run uses. */
	public static synchronized String sharedDatabaseUrl() {
		if (shared == null) {
			shared = server().createDatabase();
		}
		return shared;
	}

	public String user() {
		return this.user;
	}

	public String password() {
		return this.password;
	}

	/**
	 * Creates a new empty database and returns its JDBC URL; it is dropped when the test
	 * run ends.
	 */
	public synchronized String createDatabase() {
		String name = PREFIX + LocalDateTime.now().format(STAMP) + "_"
				+ UUID.randomUUID().toString().replace("-", "").substring(0, 8);
		execute("CREATE DATABASE " + name);
		this.created.add(name);
		return withDatabase(this.adminUrl, name);
	}

	/**
	 * A database kept between runs (for benchmarks that load a large population once):
	 * created if missing, never dropped by the run. The name must not look like a run's
	 * own databases, which are dropped a day later.
	 */
	public synchronized String keptDatabase(String name) {
		if (!name.matches("[a-z][a-z0-9_]{0,62}") || OUR_DATABASE.matcher(name).matches()) {
			throw new IllegalArgumentException("Not a name for a kept database: " + name);
		}
		boolean exists;
		try (Connection connection = connect();
				java.sql.PreparedStatement query = connection
					.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
			query.setString(1, name);
			try (ResultSet rows = query.executeQuery()) {
				exists = rows.next();
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Cannot list databases on " + this.adminUrl + ": " + ex.getMessage(), ex);
		}
		if (!exists) {
			execute("CREATE DATABASE " + name);
		}
		return withDatabase(this.adminUrl, name);
	}

	synchronized void dropCreatedDatabases() {
		for (String name : this.created) {
			// FORCE: the cached application contexts may still hold pooled connections at
			// this point
			execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
		}
		this.created.clear();
	}

	static synchronized void stop() {
		if (server != null) {
			server.dropCreatedDatabases();
		}
		if (container != null) {
			container.stop();
		}
	}

	private static TestDatabase locate() {
		String url = System.getenv("EPACCS_TEST_DB_URL");
		if (url != null && !url.isBlank()) {
			String user = System.getenv().getOrDefault("EPACCS_TEST_DB_USER", "postgres");
			String password = System.getenv().getOrDefault("EPACCS_TEST_DB_PASSWORD", "");
			if (!JDBC_URL.matcher(url).matches()) {
				throw new IllegalStateException(
						"EPACCS_TEST_DB_URL must be a PostgreSQL JDBC URL such as jdbc:postgresql://127.0.0.1:5432/postgres,"
								+ " not " + url);
			}
			return new TestDatabase(url, user, password);
		}
		if (DockerClientFactory.instance().isDockerAvailable()) {
			container = new PostgreSQLContainer<>("postgres:16-alpine");
			container.start();
			return new TestDatabase(container.getJdbcUrl(), container.getUsername(), container.getPassword());
		}
		throw new IllegalStateException("The integration tests need a PostgreSQL server (14 or later) and found none: "
				+ "no Docker engine for Testcontainers, and EPACCS_TEST_DB_URL is not set. Either start Docker, or set "
				+ "EPACCS_TEST_DB_URL=jdbc:postgresql://127.0.0.1:5432/postgres (plus EPACCS_TEST_DB_USER and "
				+ "EPACCS_TEST_DB_PASSWORD if needed) for a server where that user may CREATE DATABASE.");
	}

	/**
	 * Databases of runs that were killed before they could drop them; a day is far longer
	 * than any run.
	 */
	private void dropLeftoversOfKilledRuns() {
		LocalDateTime cutoff = LocalDateTime.now().minus(1, ChronoUnit.DAYS);
		List<String> stale = new ArrayList<>();
		try (Connection connection = connect();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT datname FROM pg_database")) {
			while (rows.next()) {
				Matcher matcher = OUR_DATABASE.matcher(rows.getString(1));
				if (matcher.matches() && LocalDateTime.parse(matcher.group(1), STAMP).isBefore(cutoff)) {
					stale.add(rows.getString(1));
				}
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Cannot list databases on " + this.adminUrl + ": " + ex.getMessage(), ex);
		}
		stale.forEach((name) -> execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"));
	}

	/**
	 * Cuts one of this run's databases off (no new connections, existing ones
	 * terminated), or lets it be reached again: a database outage that the other tests
	 * sharing this PostgreSQL server do not notice.
	 */
	public void setReachable(String jdbcUrl, boolean reachable) {
		Matcher url = JDBC_URL.matcher(jdbcUrl);
		String name = url.matches() && url.group(2) != null ? url.group(2).substring(1) : "";
		if (!this.created.contains(name)) {
			throw new IllegalArgumentException("not a database of this test run: " + jdbcUrl);
		}
		execute("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS " + reachable);
		if (!reachable) {
			execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
		}
	}

	private void execute(String sql) {
		try (Connection connection = connect(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("'" + sql + "' failed on " + this.adminUrl + ": " + ex.getMessage(), ex);
		}
	}

	private Connection connect() throws SQLException {
		return DriverManager.getConnection(this.adminUrl, this.user, this.password);
	}

	static String withDatabase(String url, String database) {
		Matcher matcher = JDBC_URL.matcher(url);
		if (!matcher.matches()) {
			throw new IllegalArgumentException("Not a PostgreSQL JDBC URL: " + url);
		}
		return matcher.group(1) + "/" + database + (matcher.group(3) != null ? matcher.group(3) : "");
	}

}
