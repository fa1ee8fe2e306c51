package org.openepaccs.register;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import javax.sql.DataSource;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openepaccs.common.NhsNumber;
import org.openepaccs.testsupport.EpaccsIntegrationTest;
import org.openepaccs.testsupport.FhirHttp.Response;
import org.openepaccs.testsupport.FhirHttp;
import org.openepaccs.testsupport.TestNhsNumbers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SPOC hub opens its worklist at 8 a.m.: the plans of its practices' registers that
 * are past their review date, most overdue first, and no one else's.
 */
@EpaccsIntegrationTest
class ReviewWorklistIT {

	@LocalServerPort
	int port;

	@Autowired
	DataSource dataSource;

	FhirHttp gp;

	String practice;

	String otherPractice;

	@BeforeEach
	void twoPractices() {
		this.gp = new FhirHttp(this.port);
		this.practice = organisation("Worklist Surgery");
		this.otherPractice = organisation("Elsewhere Surgery");
	}

	@Test
	void theHubSeesItsPracticesOverduePlansMostOverdueFirst() {
		String longOverdue = plan(onRegister(this.practice), "2026-01-05");
		String overdue = plan(onRegister(this.practice), "2026-09-01");
		plan(onRegister(this.practice), "2099-01-01"); // not due
		plan(onRegister(this.otherPractice), "2026-01-01"); // another practice
		plan(notOnRegister(), "2026-01-01"); // not on any register

		Response worklist = FhirHttp.as(this.port, "spoc-hub")
			.get("/fhir/CarePlan/$review-worklist?practice=" + this.practice);

		assertThat(worklist.status()).as(worklist.body()).isEqualTo(200);
		Bundle page = worklist.resource(Bundle.class);
		assertThat(page.getTotal()).isEqualTo(2);
		assertThat(ids(page)).containsExactly(longOverdue, overdue);

		Bundle both = FhirHttp.as(this.port, "spoc-hub")
			.get("/fhir/CarePlan/$review-worklist?practice=" + this.practice + "," + this.otherPractice + "&_count=2")
			.resource(Bundle.class);
		assertThat(both.getTotal()).isEqualTo(3);
		assertThat(both.getEntry()).hasSize(2);
		assertThat(both.getLink(Bundle.LINK_NEXT).getUrl()).contains("_offset=2");
	}

	@Test
	void anAnalystMayNotOpenTheWorklistAndABadPracticeIsNamed() {
		Response analyst = FhirHttp.as(this.port, "icb-analyst")
			.get("/fhir/CarePlan/$review-worklist?practice=" + this.practice);
		assertThat(analyst.status()).isEqualTo(403);

		Response bad = this.gp.get("/fhir/CarePlan/$review-worklist?practice=Y99901");
		assertThat(bad.status()).isEqualTo(400);
		assertThat(bad.diagnostics()).contains("Organization/{id}");
	}

	@Test
	void aSharingDecisionRecordedElsewhereIsOnTheCustodiansWorklistAndInItsOutbox() {
		String custodian = practiceOfTheGpSystem("Custodian Surgery");
		Response subscribed = this.gp.post("/fhir/Subscription",
				"{\"resourceType\":\"Subscription\",\"status\":\"requested\",\"reason\":\"review worklist\","
						+ "\"criteria\":\"Task?owner=Organization/" + custodian + "\",\"channel\":{\"type\":"
						+ "\"rest-hook\",\"endpoint\":\"http://127.0.0.1:9/tasks\"}}");
		assertThat(subscribed.status()).as(subscribed.body()).isEqualTo(201);
		String subscription = subscribed.resource(org.hl7.fhir.r4.model.Subscription.class).getIdElement().getIdPart();
		String patient = notOnRegister();
		assertThat(this.gp.post("/fhir/Consent", consent(patient, "deny", custodian)).status()).isEqualTo(201);

		Response recorded = FhirHttp.as(this.port, "community-nurse")
			.post("/fhir/Consent", consent(patient, "permit", custodian), "Content-Type", FhirHttp.FHIR_JSON,
					"X-Sharing-Decision", "told me at a home visit");
		assertThat(recorded.status()).as(recorded.body()).isEqualTo(201);
		String decision = recorded.resource(org.hl7.fhir.r4.model.Consent.class).getIdElement().getIdPart();

		Bundle worklist = this.gp.get("/fhir/CarePlan/$review-worklist?practice=Organization/" + custodian)
			.resource(Bundle.class);
		List<org.hl7.fhir.r4.model.Task> tasks = worklist.getEntry()
			.stream()
			.filter((entry) -> entry.getResource() instanceof org.hl7.fhir.r4.model.Task)
			.map((entry) -> (org.hl7.fhir.r4.model.Task) entry.getResource())
			.toList();
		assertThat(tasks).as("the custodian's worklist lists the decision to review").hasSize(1);
		org.hl7.fhir.r4.model.Task task = tasks.get(0);
		assertThat(task.getFocus().getReference()).isEqualTo("Consent/" + decision);
		assertThat(task.getOwner().getReference()).isEqualTo("Organization/" + custodian);
		assertThat(task.getOwner().getIdentifier().getValue()).isEqualTo("Y99901");
		assertThat(task.getStatus()).isEqualTo(org.hl7.fhir.r4.model.Task.TaskStatus.REQUESTED);
		assertThat(worklist.getTotal()).as("the total counts plans").isZero();
		assertThat(this.gp.get("/fhir/CarePlan/$review-worklist?practice=" + this.otherPractice)
			.resource(Bundle.class)
			.getEntry()).as("another practice's worklist").isEmpty();

		List<String> announced = new JdbcTemplate(this.dataSource).queryForList(
				"select resource from epaccs_notification where subscription = ?", String.class, subscription);
		assertThat(announced).as("the custodian's outbox carries the task")
			.anyMatch((resource) -> resource.startsWith("Task/" + task.getIdElement().getIdPart() + "/"));

		task.setStatus(org.hl7.fhir.r4.model.Task.TaskStatus.COMPLETED);
		assertThat(this.gp.put("/fhir/Task/" + task.getIdElement().getIdPart(), FhirHttp.json(task)).status())
			.isEqualTo(200);
		assertThat(this.gp.get("/fhir/CarePlan/$review-worklist?practice=Organization/" + custodian)
			.resource(Bundle.class)
			.getEntry()).as("reviewed: off the worklist").isEmpty();
	}

	@Test
	void aPersonWhoRefusedToShareIsOnTheirCustodiansWorklistOnly() {
		String custodian = practiceOfTheGpSystem("Refusal Surgery");
		String shares = plan(onRegister("Organization/" + custodian), "2026-03-01");
		FhirHttp hub = FhirHttp.as(this.port, "spoc-hub"); // another organisation
		String worklist = "/fhir/CarePlan/$review-worklist?practice=Organization/" + custodian;
		Response before = hub.get(worklist);
		String refused = onRegister("Organization/" + custodian);
		String hidden = plan(refused, "2026-02-01");
		assertThat(this.gp.post("/fhir/Consent", consent(refused, "deny", custodian)).status()).isEqualTo(201);

		Response after = hub.get(worklist);
		assertThat(after.status()).as(after.body()).isEqualTo(200);
		assertThat(ids(after.resource(Bundle.class))).containsExactly(shares);
		assertThat(after.resource(Bundle.class).getTotal()).as("the total does not count them")
			.isEqualTo(before.resource(Bundle.class).getTotal())
			.isEqualTo(1);
		assertThat(after.body()).doesNotContain(hidden, refused.substring("Patient/".length()));
		assertThat(ids(this.gp.get(worklist).resource(Bundle.class))).as("the custodian's worklist")
			.containsExactly(hidden, shares);
	}

	private static String consent(String patient, String provision, String custodian) {
		return "{\"resourceType\":\"Consent\",\"status\":\"active\",\"scope\":{\"coding\":[{\"system\":"
				+ "\"http://terminology.hl7.org/CodeSystem/consentscope\",\"code\":\"patient-privacy\"}]},"
				+ "\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\","
				+ "\"code\":\"IDSCL\"}]}],\"patient\":{\"reference\":\"" + patient + "\"},"
				+ "\"dateTime\":\"2026-11-01T10:00:00Z\",\"performer\":[{\"reference\":\"" + patient + "\"}],"
				+ "\"organization\":[{\"reference\":\"Organization/" + custodian + "\"}],"
				+ "\"policy\":[{\"uri\":\"https://fhir.openepaccs.org/policy/record-sharing\"}],\"provision\":{\"type\":\""
				+ provision + "\"}}";
	}

	private static List<String> ids(Bundle page) {
		return page.getEntry().stream().map((e) -> e.getResource().getIdElement().getIdPart()).toList();
	}

	/**
	 * The id of a practice with the gp-system's ODS code (Y99901), the custodian of its
	 * refusals.
	 */
	private String practiceOfTheGpSystem(String name) {
		return this.gp
			.post("/fhir/Organization", FhirHttp.json(new Organization().setName(name)
				.addIdentifier(
						new Identifier().setSystem("https://fhir.nhs.uk/Id/ods-organization-code").setValue("Y99901"))))
			.resource(Organization.class)
			.getIdElement()
			.getIdPart();
	}

	private String organisation(String name) {
		return "Organization/" + this.gp.post("/fhir/Organization", FhirHttp.json(new Organization().setName(name)))
			.resource(Organization.class)
			.getIdElement()
			.getIdPart();
	}

	@Test
	void aPracticeWithMoreThanOnePageOfPeopleHasThemAllOnItsWorklistPageByPage() {
		for (int i = 0; i < 25; i++) {
			// three people a day, so that pages end among plans due the same day
			plan(onRegister(this.practice), "2026-02-" + String.format("%02d", 1 + i / 3));
		}

		Response worklist = FhirHttp.as(this.port, "spoc-hub")
			.get("/fhir/CarePlan/$review-worklist?practice=" + this.practice + "&_count=500");

		assertThat(worklist.status()).as(worklist.body()).isEqualTo(200);
		Bundle whole = worklist.resource(Bundle.class);
		assertThat(whole.getTotal()).isEqualTo(25);
		assertThat(whole.getEntry()).hasSize(25);
		List<String> paged = new java.util.ArrayList<>();
		for (int offset = 0; offset < 25; offset += 4) {
			Bundle page = FhirHttp.as(this.port, "spoc-hub")
				.get("/fhir/CarePlan/$review-worklist?practice=" + this.practice + "&_count=4&_offset=" + offset)
				.resource(Bundle.class);
			assertThat(page.getTotal()).isEqualTo(25);
			assertThat(page.hasLink() && page.getLink(Bundle.LINK_NEXT) != null).isEqualTo(offset + 4 < 25);
			paged.addAll(ids(page));
		}
		assertThat(paged).isEqualTo(ids(whole));
	}

	@Test
	void aPlanIsDueTheDayAfterItsReviewDateInEngland() {
		LocalDate today = LocalDate.now(ZoneId.of("Europe/London"));
		String yesterday = plan(onRegister(this.practice), today.minusDays(1).toString());
		plan(onRegister(this.practice), today.toString());

		Bundle page = FhirHttp.as(this.port, "spoc-hub")
			.get("/fhir/CarePlan/$review-worklist?practice=" + this.practice)
			.resource(Bundle.class);

		assertThat(ids(page)).containsExactly(yesterday);
		assertThat(page.getTotal()).isEqualTo(1);
	}

	@Test
	void aPlanWithoutAReviewDateIsDueTheMonthsAfterItLastChangedAndOneWithAReviewDateOnlyOnThat() {
		String withoutReviewDate = planWithoutReviewDate(onRegister(this.practice));
		String reviewDateToCome = plan(onRegister(this.practice), "2099-01-01");
		String recentlyChanged = planWithoutReviewDate(onRegister(this.practice));
		lastChangedMonthsAgo(14, withoutReviewDate, reviewDateToCome);

		Bundle twelve = FhirHttp.as(this.port, "spoc-hub")
			.get("/fhir/CarePlan/$review-worklist?practice=" + this.practice + "&months-without-review=12")
			.resource(Bundle.class);
		Bundle eighteen = FhirHttp.as(this.port, "spoc-hub")
			.get("/fhir/CarePlan/$review-worklist?practice=" + this.practice + "&months-without-review=18")
			.resource(Bundle.class);

		assertThat(ids(twelve)).containsExactly(withoutReviewDate).doesNotContain(recentlyChanged);
		assertThat(twelve.getTotal()).isEqualTo(1);
		assertThat(eighteen.getTotal()).isZero();
		assertThat(eighteen.getEntry()).isEmpty();
	}

	/**
	 * Nothing a client can send backdates a change, so the test moves it in the database.
	 */
	private void lastChangedMonthsAgo(int months, String... plans) {
		JdbcTemplate database = new JdbcTemplate(this.dataSource);
		for (String plan : plans) {
			for (String table : List.of("hfj_resource", "hfj_res_ver")) {
				int changed = database.update("update " + table
						+ " set res_updated = res_updated - make_interval(months => ?)"
						+ " where res_id = (select res_id from hfj_resource where res_type = 'CarePlan' and fhir_id = ?)",
						months, plan);
				assertThat(changed).isEqualTo(1);
			}
		}
	}

	private String notOnRegister() {
		return "Patient/"
				+ this.gp
					.post("/fhir/Patient",
							FhirHttp.json(new Patient().setActive(true)
								.addIdentifier(new Identifier().setSystem(NhsNumber.SYSTEM)
									.setValue(TestNhsNumbers.unused()))))
					.resource(Patient.class)
					.getIdElement()
					.getIdPart();
	}

	private String onRegister(String practice) {
		String patient = notOnRegister();
		Response entry = this.gp.post("/fhir/EpisodeOfCare",
				"{\"resourceType\":\"EpisodeOfCare\",\"status\":\"active\","
						+ "\"type\":[{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"103735009\"}]}],"
						+ "\"patient\":{\"reference\":\"" + patient + "\"},\"managingOrganization\":{\"reference\":\""
						+ practice + "\"},\"period\":{\"start\":\"2025-12-01\"}}");
		assertThat(entry.status()).as(entry.body()).isEqualTo(201);
		return patient;
	}

	private String planWithoutReviewDate(String patient) {
		Response created = this.gp.post("/fhir/CarePlan", "{\"resourceType\":\"CarePlan\",\"status\":\"active\","
				+ "\"intent\":\"plan\",\"category\":[{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":"
				+ "\"736373009\",\"display\":\"End of life care plan\"}]}],\"subject\":{\"reference\":\"" + patient
				+ "\"}}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return created.header("Location").replaceAll(".*/CarePlan/([^/]+)/.*", "$1");
	}

	private String plan(String patient, String reviewDate) {
		Response created = this.gp.post("/fhir/CarePlan", "{\"resourceType\":\"CarePlan\",\"extension\":[{\"url\":\""
				+ ReviewWorklist.REVIEW_DATE + "\",\"valueDate\":\"" + reviewDate + "\"}],\"status\":\"active\","
				+ "\"intent\":\"plan\",\"category\":[{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":"
				+ "\"736373009\",\"display\":\"End of life care plan\"}]}],\"subject\":{\"reference\":\"" + patient
				+ "\"}}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return created.header("Location").replaceAll(".*/CarePlan/([^/]+)/.*", "$1");
	}

}
