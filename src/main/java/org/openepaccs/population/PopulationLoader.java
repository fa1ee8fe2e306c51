package org.openepaccs.population;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Sends a synthetic population to a running server: the directory first, then each
 * person's record, then the deaths, with a number of clients at once. Every two seconds
 * it prints how far it is, the rate and the time left; at the end, resources per second.
 * <p>
 * It can stop at any time and start again: each transaction only PUTs resources with ids
 * of their own, so sending one twice stores nothing new, and the progress file remembers
 * up to which person every record is in, so a restart skips them.
 */
final class PopulationLoader {

	private static final int MOST_TRIES = 8;

	/** How long a load waits for a server that does not answer before it stops. */
	private static final Duration OUTAGE = Duration.ofMinutes(5);

	private final URI fhirBase;

	private final Supplier<String> token;

	private final int clients;

	private final PrintStream out;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private final AtomicReference<String> bearer = new AtomicReference<>();

	/** Whether the server has answered anything yet. */
	private final AtomicBoolean answered = new AtomicBoolean();

	PopulationLoader(URI fhirBase, Supplier<String> token, int clients, PrintStream out) {
		this.fhirBase = fhirBase;
		this.token = token;
		this.clients = clients;
		this.out = out;
	}

	/** Loads it; returns the resources sent. */
	long load(SyntheticPopulation population, Path progressFile) throws IOException, InterruptedException {
		long started = System.nanoTime();
		AtomicLong resources = new AtomicLong();
		Progress progress = Progress.read(progressFile, population);
		if (progress.recordsDone() == 0 && progress.deathsDone() == 0) {
			for (String part : population.directory()) {
				resources.addAndGet(send(part));
			}
			this.out.printf(Locale.ROOT, "directory: %d practices in %d ICBs%n", population.practices(),
					(population.practices() + SyntheticPopulation.PRACTICES_PER_ICB - 1)
							/ SyntheticPopulation.PRACTICES_PER_ICB);
		}
		else {
			this.out.printf(Locale.ROOT, "resuming: %d records and %d deaths already in%n", progress.recordsDone(),
					progress.deathsDone());
		}
		List<Integer> everyone = IntStream.range(progress.recordsDone(), population.people()).boxed().toList();
		int recordsDone = phase("records", everyone, population.people(), population::record, resources,
				(done) -> progress.save(progressFile, done, 0));
		List<Integer> deaths = population.deaths();
		List<Integer> deathsLeft = deaths.subList(Math.min(progress.deathsDone(), deaths.size()), deaths.size());
		phase("deaths", deathsLeft, deaths.size(), population::death, resources,
				(done) -> progress.save(progressFile, recordsDone, done));
		double seconds = (System.nanoTime() - started) / 1e9;
		this.out.printf(Locale.ROOT, "done: %d resources in %.0f s, %.0f resources/s with %d clients%n",
				resources.get(), seconds, resources.get() / seconds, this.clients);
		return resources.get();
	}

	/**
	 * Sends one transaction per index, several at once; reports the contiguous count done
	 * (every index below it is in) for the progress file.
	 */
	private int phase(String name, List<Integer> indexes, int total, IntFunction<String> transaction,
			AtomicLong resources, java.util.function.IntConsumer saveProgress) throws InterruptedException {
		if (indexes.isEmpty()) {
			return total;
		}
		int offset = total - indexes.size();
		boolean[] done = new boolean[indexes.size()];
		AtomicInteger next = new AtomicInteger();
		AtomicInteger finished = new AtomicInteger();
		AtomicLong phaseResources = new AtomicLong();
		long started = System.nanoTime();
		ExecutorService senders = Executors.newFixedThreadPool(this.clients);
		List<Future<Object>> running = new java.util.ArrayList<>();
		for (int c = 0; c < this.clients; c++) {
			running.add(senders.submit(() -> {
				for (int i = next.getAndIncrement(); i < indexes.size(); i = next.getAndIncrement()) {
					long sent = send(transaction.apply(indexes.get(i)));
					phaseResources.addAndGet(sent);
					resources.addAndGet(sent);
					synchronized (done) {
						done[i] = true;
					}
					finished.incrementAndGet();
				}
				return null;
			}));
		}
		senders.shutdown();
		int contiguous = 0;
		while (true) {
			boolean ended = senders.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
			synchronized (done) {
				while (contiguous < done.length && done[contiguous]) {
					contiguous++;
				}
			}
			// saved before a failure stops the load, so that it resumes after what is in
			saveProgress.accept(offset + contiguous);
			failFast(running, senders);
			if (ended) {
				break;
			}
			double seconds = (System.nanoTime() - started) / 1e9;
			double rate = finished.get() / seconds;
			long left = (rate > 0) ? (long) ((indexes.size() - finished.get()) / rate) : -1;
			this.out.printf(Locale.ROOT, "%s %d/%d (%d%%) %.1f/s, %.0f resources/s, ETA %s%n", name,
					offset + finished.get(), total, 100L * (offset + finished.get()) / total, rate,
					phaseResources.get() / seconds,
					(left < 0) ? "?" : Duration.ofSeconds(left).toString().substring(2).toLowerCase(Locale.ROOT));
		}
		saveProgress.accept(total);
		return total;
	}

	/**
	 * Stops the load at the first sender that failed, and every other sender with it,
	 * rather than leave them retrying.
	 */
	private static void failFast(List<Future<Object>> running, ExecutorService senders) throws InterruptedException {
		for (Future<Object> future : running) {
			if (future.isDone()) {
				try {
					future.get();
				}
				catch (java.util.concurrent.ExecutionException ex) {
					senders.shutdownNow();
					senders.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
					throw new IllegalStateException(ex.getCause().getMessage(), ex.getCause());
				}
			}
		}
	}

	/**
	 * Posts one transaction, retrying while the server is busy (429, 409), and while it
	 * is away (no answer, 502–504) for up to {@link #OUTAGE} once it has answered at all
	 * (a restart, a database failover; a server that never answered is a mistyped
	 * address), renewing the token when it is refused (a restarted demo issuer signs with
	 * new keys); anything else it refuses stops the load with the server's reason.
	 */
	private long send(String transaction) throws IOException, InterruptedException {
		if (transaction == null) {
			return 0;
		}
		long giveUpAt = System.nanoTime() + OUTAGE.toNanos();
		int busy = 0;
		int refusedTokens = 0;
		boolean renew = false;
		for (int unanswered = 0;;) {
			HttpResponse<String> response;
			try {
				response = this.http.send(HttpRequest.newBuilder(this.fhirBase)
					.timeout(Duration.ofMinutes(2))
					.header("Content-Type", "application/fhir+json")
					.header("Authorization", "Bearer " + bearer(renew))
					.POST(HttpRequest.BodyPublishers.ofString(transaction, StandardCharsets.UTF_8))
					.build(), HttpResponse.BodyHandlers.ofString());
			}
			catch (IOException | IllegalStateException ex) {
				if (ex instanceof IllegalStateException && !(ex.getCause() instanceof IOException)) {
					throw ex; // the issuer refused the client: retrying will not help
				}
				// no answer, or no token from a server that is starting again
				if (!this.answered.get()) {
					throw (ex instanceof IllegalStateException refused) ? refused
							: new IllegalStateException("Cannot reach " + this.fhirBase + " ("
									+ ex.getClass().getSimpleName() + "); is the server running there?", ex);
				}
				if (System.nanoTime() > giveUpAt) {
					throw new IllegalStateException("The server has not answered for " + OUTAGE.toMinutes()
							+ " minutes (" + ex.getClass().getSimpleName() + "); run the same command again to "
							+ "resume once it is back", ex);
				}
				waitForServer(++unanswered);
				continue;
			}
			renew = false;
			this.answered.set(true);
			int status = response.statusCode();
			if (status / 100 == 2) {
				return transaction.split("\"request\":", -1).length - 1;
			}
			if (status >= 502 && status <= 504 && System.nanoTime() < giveUpAt) {
				waitForServer(++unanswered);
				continue;
			}
			if (status == 401 && ++refusedTokens <= 2) {
				renew = true;
				continue;
			}
			if ((status == 429 || status == 409) && ++busy < MOST_TRIES) {
				Thread.sleep(250L << busy);
				continue;
			}
			throw new IllegalStateException("The server refused a transaction with HTTP " + status + ": "
					+ response.body().substring(0, Math.min(500, response.body().length())));
		}
	}

	/** Waits longer each time the server is found away, up to 10 s between tries. */
	private static void waitForServer(int times) throws InterruptedException {
		Thread.sleep(Math.min(10_000L, 500L << Math.min(times, 5)));
	}

	private String bearer(boolean renew) {
		if (renew || this.bearer.get() == null) {
			this.bearer.set(this.token.get());
		}
		return this.bearer.get();
	}

	/**
	 * How far an earlier load of the same population got.
	 *
	 * @param recordsDone every record below this person number is in
	 * @param deathsDone the first this many deaths are in
	 */
	record Progress(String population, int recordsDone, int deathsDone) {

		static Progress read(Path file, SyntheticPopulation population) throws IOException {
			String id = population.toString();
			if (file == null || !Files.exists(file)) {
				return new Progress(id, 0, 0);
			}
			String[] fields = Files.readString(file).trim().split(" ");
			if (fields.length != 3 || !fields[0].equals(id)) {
				return new Progress(id, 0, 0); // another population: start afresh
			}
			return new Progress(id, Integer.parseInt(fields[1]), Integer.parseInt(fields[2]));
		}

		void save(Path file, int records, int deaths) {
			if (file == null) {
				return;
			}
			try {
				Path written = file.resolveSibling(file.getFileName() + ".new");
				Files.writeString(written, this.population + " " + records + " " + deaths + "\n");
				Files.move(written, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
						java.nio.file.StandardCopyOption.ATOMIC_MOVE);
			}
			catch (IOException ex) {
				throw new java.io.UncheckedIOException(ex);
			}
		}

	}

}
