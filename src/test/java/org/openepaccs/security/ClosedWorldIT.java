package org.openepaccs.security;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceOperationComponent;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.FhirHttp.Response;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The closed world: an operation or interaction HAPI serves that this server does not
 * offer is refused with 403 and an OperationOutcome saying so, for every role, the
 * custodian and the admin included, alone and as an entry of a batch or a transaction.
 * The operations are read from the running server's CapabilityStatement, where HAPI lists
 * every operation it has bound, so one that a HAPI upgrade adds is probed without editing
 * this test. What this server offers is written out here as docs/access.md states it.
 */
@EpaccsIntegrationTest
class ClosedWorldIT {

	private static final FhirContext fhir = FhirContext.forR4Cached();

	/** Level, resource type ({@code *} any) and name of each operation offered. */
	private static final Set<String> OFFERED = Set.of("type Patient $epaccs-summary",
			"instance Patient $epaccs-summary", "instance Patient $everything", "type CarePlan $review-worklist",
			"instance Measure $evaluate-measure", "type * $validate", "type ValueSet $expand",
			"instance ValueSet $expand", "type ValueSet $validate-code", "instance ValueSet $validate-code",
			"type CodeSystem $validate-code", "instance CodeSystem $validate-code", "type CodeSystem $lookup",
			"instance CodeSystem $lookup", "type CodeSystem $subsumes", "instance CodeSystem $subsumes",
			"type ConceptMap $translate", "instance ConceptMap $translate", "server * $export", "type Patient $export",
			"instance Group $export", "server * $export-poll-status", "type StructureDefinition $snapshot",
			"instance StructureDefinition $snapshot");

	private static final List<String> ROLES = List.of("gp-system", "community-nurse", "ooh-clinician", "spoc-hub",
			"icb-analyst", "admin");

	@LocalServerPort
	int port;

	Map<String, FhirHttp> callers;

	@BeforeEach
	void everyRole() {
		this.callers = new LinkedHashMap<>();
		for (String role : ROLES) {
			this.callers.put(role, FhirHttp.as(this.port, role));
		}
	}

	@Test
	void everyOperationServedButNotOfferedIsRefusedForEveryRole() {
		List<Probe> probes = notOffered();
		assertThat(probes).as("HAPI serves operations this server does not offer ($meta, $expunge, ...)")
			.extracting(Probe::operation)
			.contains("$meta", "$expunge", "$get-resource-counts");
		List<String> open = new ArrayList<>();
		// the admin tries every type; each other role then each operation at each level
		// where the admin was refused, so that it reaches the gate too
		Map<String, Probe> refusedToTheAdmin = new LinkedHashMap<>();
		for (Probe probe : probes) {
			if (refused("admin", probe, open)) {
				refusedToTheAdmin.putIfAbsent(probe.level() + " " + probe.operation(), probe);
			}
		}
		for (String role : ROLES) {
			if (!"admin".equals(role)) {
				for (Probe probe : refusedToTheAdmin.values()) {
					if (!refused(role, probe, open)) {
						open.add(role + " POST " + probe.path() + ": not refused as it is to the admin");
					}
				}
			}
		}
		Set<String> refusedSomewhere = new LinkedHashSet<>();
		refusedToTheAdmin.values().forEach((probe) -> refusedSomewhere.add(probe.operation()));
		assertThat(open).as("answered by something other than the refusal").isEmpty();
		assertThat(refusedSomewhere)
			.as("each operation advertised and offered nowhere is bound, and refused, somewhere")
			.containsAll(probes.stream()
				.map(Probe::operation)
				.filter((name) -> OFFERED.stream().noneMatch((offered) -> offered.endsWith(" " + name)))
				.filter((name) -> !"$lastn".equals(name))
				.toList());
	}

	@Test
	void anOperationNotOfferedIsRefusedAsABatchOrTransactionEntryToo() {
		Map<String, Probe> oncePerOperation = new LinkedHashMap<>();
		for (Probe probe : notOffered()) {
			if (!"instance".equals(probe.level())) {
				oncePerOperation.putIfAbsent(probe.operation(), probe);
			}
		}
		for (String role : List.of("gp-system", "admin")) {
			for (String type : List.of("batch", "transaction")) {
				for (Probe probe : oncePerOperation.values()) {
					Bundle bundle = new Bundle().setType(Bundle.BundleType.fromCode(type));
					bundle.addEntry()
						.setResource(new Parameters())
						.getRequest()
						.setMethod(Bundle.HTTPVerb.POST)
						.setUrl(probe.path().substring("/fhir/".length()));
					Response answer = this.callers.get(role)
						.post("/fhir", fhir.newJsonParser().encodeResourceToString(bundle), "Content-Type",
								FhirHttp.FHIR_JSON);
					assertThat(answer.status()).as(role + " " + type + " " + probe.path() + ": " + answer.body())
						.isEqualTo(403);
					assertThat(answer.resource(OperationOutcome.class).getIssueFirstRep().getDiagnostics())
						.contains("Bundle.entry[0]", probe.operation() + " is not offered");
				}
			}
		}
	}

	@Test
	void historyAcrossPeoplesRecordsIsRefusedForEveryRole() {
		for (Map.Entry<String, FhirHttp> caller : this.callers.entrySet()) {
			for (String path : List.of("/fhir/_history", "/fhir/Patient/_history", "/fhir/Observation/_history")) {
				Response answer = caller.getValue().get(path);
				assertThat(answer.status()).as(caller.getKey() + " " + path + ": " + answer.body()).isEqualTo(403);
				assertThat(answer.resource(OperationOutcome.class).getIssueFirstRep().getDiagnostics())
					.contains("not offered");
			}
		}
	}

	@Test
	void everyOperationOfferedAnswersMissingOrStrayParametersWithoutAServerError() {
		CapabilityStatement capabilities = capabilities();
		List<String> paths = new ArrayList<>();
		for (CapabilityStatementRestResourceOperationComponent operation : capabilities.getRestFirstRep()
			.getOperation()) {
			if (OFFERED.contains("server * $" + operation.getName())) {
				paths.add("/fhir/$" + operation.getName());
			}
		}
		for (CapabilityStatementRestResourceComponent resource : capabilities.getRestFirstRep().getResource()) {
			String type = resource.getType();
			for (CapabilityStatementRestResourceOperationComponent operation : resource.getOperation()) {
				String name = "$" + operation.getName();
				if (OFFERED.contains("type " + type + " " + name)
						|| (OFFERED.contains("type * " + name) && List.of("Patient", "CodeSystem").contains(type))) {
					paths.add("/fhir/" + type + "/" + name);
				}
				if (OFFERED.contains("instance " + type + " " + name)) {
					paths.add("/fhir/" + storedOrMadeUp(type) + "/" + name);
				}
			}
		}
		assertThat(paths).as("the operations offered are advertised").hasSizeGreaterThan(15);
		List<String> failures = new ArrayList<>();
		String stray = FhirHttp.json(new Parameters().addParameter("stray", "x"));
		for (Map.Entry<String, FhirHttp> caller : this.callers.entrySet()) {
			for (String path : paths) {
				for (Response answer : List.of(caller.getValue().get(path), caller.getValue().get(path + "?stray=x"),
						caller.getValue()
							.post(path, FhirHttp.json(new Parameters()), "Content-Type", FhirHttp.FHIR_JSON),
						caller.getValue().post(path, stray, "Content-Type", FhirHttp.FHIR_JSON))) {
					if (answer.status() >= 500 || (answer.status() >= 400
							&& !answer.body().startsWith("{\"resourceType\":\"OperationOutcome\""))) {
						failures.add(caller.getKey() + " " + path + ": " + answer.status() + " "
								+ abbreviated(answer.body()));
					}
				}
			}
		}
		assertThat(failures).as("bad input gets a 4xx with an OperationOutcome, never a server error").isEmpty();
	}

	/** A stored resource of the type (the package's, for conformance types), if any. */
	private String storedOrMadeUp(String type) {
		for (FhirHttp caller : this.callers.values()) {
			Response some = caller.get("/fhir/" + type + "?_count=1");
			if (some.status() == 200 && some.resource(Bundle.class).hasEntry()) {
				return type + "/"
						+ some.resource(Bundle.class).getEntryFirstRep().getResource().getIdElement().getIdPart();
			}
		}
		return type + "/closed-world-1";
	}

	private CapabilityStatement capabilities() {
		return this.callers.get("gp-system").get("/fhir/metadata").resource(CapabilityStatement.class);
	}

	/**
	 * Every operation the CapabilityStatement advertises, at server level, and at type
	 * and instance level on each type that lists it, where this server does not offer it.
	 */
	private List<Probe> notOffered() {
		CapabilityStatement capabilities = capabilities();
		List<Probe> probes = new ArrayList<>();
		for (CapabilityStatementRestResourceOperationComponent operation : capabilities.getRestFirstRep()
			.getOperation()) {
			String name = "$" + operation.getName();
			if (!OFFERED.contains("server * " + name)) {
				probes.add(new Probe("server", name, "/fhir/" + name));
			}
		}
		for (CapabilityStatementRestResourceComponent resource : capabilities.getRestFirstRep().getResource()) {
			String type = resource.getType();
			for (CapabilityStatementRestResourceOperationComponent operation : resource.getOperation()) {
				String name = "$" + operation.getName();
				for (String level : List.of("type", "instance")) {
					if (OFFERED.contains(level + " " + type + " " + name) || OFFERED.contains(level + " * " + name)) {
						continue;
					}
					probes.add(new Probe(level, name,
							"/fhir/" + type + ("instance".equals(level) ? "/closed-world-1/" : "/") + name));
				}
			}
		}
		return probes;
	}

	/**
	 * Whether the probe is refused as not offered (403 saying so); an answer that is
	 * neither that nor HAPI's for an operation not bound there is noted in {@code open}.
	 */
	private boolean refused(String role, Probe probe, List<String> open) {
		Response answer = this.callers.get(role)
			.post(probe.path(), FhirHttp.json(new Parameters()), "Content-Type", FhirHttp.FHIR_JSON);
		if (answer.status() == 403) {
			assertThat(answer.resource(OperationOutcome.class).getIssueFirstRep().getDiagnostics())
				.as(role + " " + probe.path())
				.contains(probe.operation() + " is not offered");
			return true;
		}
		if (!servedNowhereHere(answer) && !unavailable(answer)) {
			open.add(role + " POST " + probe.path() + ": " + answer.status() + " " + abbreviated(answer.body()));
		}
		return false;
	}

	/**
	 * HAPI's answer for an operation it has not bound at this level (it lists each
	 * operation once per type, whatever its levels): nothing is served there.
	 */
	private static boolean servedNowhereHere(Response answer) {
		return answer.status() == 400 && answer.body().contains("does not know how to handle");
	}

	/**
	 * The answer for an operation HAPI offers but this server cannot run ({@code $lastn},
	 * which needs a search index): refused before anything else, with 400 saying why.
	 */
	private static boolean unavailable(Response answer) {
		return answer.status() == 400 && answer.body().contains("is not available on this server");
	}

	private static String abbreviated(String text) {
		return (text.length() > 300) ? text.substring(0, 300) + "..." : text;
	}

	record Probe(String level, String operation, String path) {

	}

}
