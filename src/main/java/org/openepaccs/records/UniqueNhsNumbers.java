package org.openepaccs.records;

import org.openepaccs.common.NhsNumber;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamToken;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.openepaccs.common.LabelOnlyChanges;
import org.openepaccs.fhir.FhirStorageInterceptor;
import org.openepaccs.fhir.InterceptorOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.annotation.Order;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps each NHS number on at most one Patient that is not deleted, whoever writes and
 * whatever they may see. Two records of one person split their plan in two, and the
 * out-of-hours summary by NHS number cannot choose between them.
 * <p>
 * A search cannot keep this rule: it sees only committed Patients, and a caller's search
 * sees only the people they may see, so a conditional create ({@code If-None-Exist}) by
 * an organisation a person refused to share with stored a second record of them. Instead
 * each Patient's NHS number is written, in the Patient's own transaction, to a table
 * keyed by the number ({@code EPACCS_NHS_NUMBER}), so its primary key decides between two
 * writers storing one number at the same moment: the second waits for the first and is
 * refused when it commits. An update that changes the number moves the row; a delete
 * frees it.
 * <p>
 * The refusal (409, the answer HAPI gives for its own unique search parameters, also to a
 * conditional create) says only that the number is recorded here, in the same words
 * whether or not the writer may see that person: that the number is known here is a
 * deliberate disclosure to writers, and nothing else about the person is told.
 */
@Order(InterceptorOrder.FEATURES)
@Component
@Interceptor
class UniqueNhsNumbers implements FhirStorageInterceptor {

	static final String TABLE = "EPACCS_NHS_NUMBER";

	static final String ALREADY_RECORDED = "A Patient with this NHS number is already recorded on this server."
			+ " Search for it by NHS number (Patient?identifier=" + NhsNumber.SYSTEM
			+ "|<number>) or contact the custodian of that record, rather than creating another Patient";

	static final String MORE_THAN_ONE = "A Patient has one NHS number: this one has more than one identifier"
			+ " with the system " + NhsNumber.SYSTEM + " and different values";

	/** The SQL state of a unique or primary key violation, on PostgreSQL and H2 alike. */
	private static final String UNIQUE_VIOLATION = "23505";

	private static final Logger log = LoggerFactory.getLogger(UniqueNhsNumbers.class);

	private final FhirContext fhirContext;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transaction;

	private final PartitionSettings partitionSettings;

	/**
	 * Needs the transaction manager also because it exists only once HAPI's schema does,
	 * which the fill from stored Patients reads.
	 */
	UniqueNhsNumbers(FhirContext fhirContext, JdbcTemplate jdbc, PlatformTransactionManager transactions,
			PartitionSettings partitionSettings) {
		this.fhirContext = fhirContext;
		this.jdbc = jdbc;
		this.transaction = new TransactionTemplate(transactions);
		this.partitionSettings = partitionSettings;
		// before this server answers any request: a Patient stored in the meantime would
		// make the table look filled
		fillIfEmpty();
	}

	/*
	 * Numbers are freed as each update or delete is processed, and taken just before the
	 * commit: in a transaction bundle HAPI defers the pre-commit hooks to its end and
	 * fires them grouped by kind, not in entry order, so by then every number the bundle
	 * frees (a delete, a move, a swap between two Patients) is free.
	 */

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void updating(IBaseResource previous, IBaseResource resource) {
		if (LabelOnlyChanges.inProgress()) {
			return; // a security label changes no NHS number
		}
		if (resource instanceof Patient patient) {
			free(patient.getIdElement().getIdPart(), nhsNumbers(patient));
		}
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_DELETED)
	public void deleting(IBaseResource resource) {
		if (resource instanceof Patient patient) {
			free(patient.getIdElement().getIdPart(), Set.of());
		}
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource, RequestDetails request) {
		if (resource instanceof Patient patient) {
			record(patient, Set.of(), request);
		}
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		if (LabelOnlyChanges.inProgress()) {
			return; // a security label changes no NHS number
		}
		if (resource instanceof Patient patient) {
			record(patient, (previous instanceof Patient before) ? nhsNumbers(before) : Set.of(), request);
		}
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
	public void deleted(IBaseResource resource) {
		if (resource instanceof Patient patient) {
			free(patient.getIdElement().getIdPart(), Set.of());
		}
	}

	/** Frees the numbers recorded for this Patient other than those it keeps. */
	private void free(String patient, Set<String> kept) {
		if (kept.size() == 1) {
			this.jdbc.update("DELETE FROM " + TABLE + " WHERE PATIENT_ID = ? AND NHS_NUMBER <> ?", patient,
					kept.iterator().next());
		}
		else if (kept.isEmpty()) {
			this.jdbc.update("DELETE FROM " + TABLE + " WHERE PATIENT_ID = ?", patient);
		}
		// more than one is refused when the write is recorded
	}

	/**
	 * Records the Patient's NHS number as theirs, or refuses the write when another
	 * Patient holds it. A number the previous version already carried is kept without a
	 * row when another Patient holds it: only records stored before this table (the fill
	 * keeps the first of each number) can be in that state, and their updates must not be
	 * blocked.
	 */
	private void record(Patient patient, Set<String> before, RequestDetails request) {
		String id = patient.getIdElement().getIdPart();
		Set<String> numbers = nhsNumbers(patient);
		if (numbers.size() > 1) {
			throw new UnprocessableEntityException(this.fhirContext,
					outcome(IssueType.BUSINESSRULE, MORE_THAN_ONE, "Patient.identifier"));
		}
		free(id, numbers);
		if (numbers.isEmpty()) {
			return;
		}
		String number = numbers.iterator().next();
		List<String> holders = this.jdbc.queryForList("SELECT PATIENT_ID FROM " + TABLE + " WHERE NHS_NUMBER = ?",
				String.class, number);
		if (holders.contains(id)) {
			return;
		}
		if (!holders.isEmpty()) {
			if (before.contains(number)) {
				return;
			}
			throw alreadyRecorded(holders.get(0), request);
		}
		if (!inserted(number, id)) {
			// another writer stored this number after the check above, and has committed
			List<String> winner = this.jdbc.queryForList("SELECT PATIENT_ID FROM " + TABLE + " WHERE NHS_NUMBER = ?",
					String.class, number);
			throw alreadyRecorded(winner.isEmpty() ? null : winner.get(0), request);
		}
	}

	/**
	 * Inserts the row, or returns false when the primary key refuses it. The insert is
	 * undone to a savepoint then, because after a failed statement PostgreSQL refuses
	 * every further one in the transaction, and the holder is still to be read.
	 */
	private boolean inserted(String number, String id) {
		return Boolean.TRUE.equals(this.jdbc.execute((ConnectionCallback<Boolean>) (connection) -> {
			Savepoint before = connection.setSavepoint();
			try (PreparedStatement insert = connection
				.prepareStatement("INSERT INTO " + TABLE + " (NHS_NUMBER, PATIENT_ID) VALUES (?, ?)")) {
				insert.setString(1, number);
				insert.setString(2, id);
				insert.executeUpdate();
			}
			catch (SQLException ex) {
				if (!UNIQUE_VIOLATION.equals(ex.getSQLState())) {
					throw ex;
				}
				connection.rollback(before);
				return false;
			}
			connection.releaseSavepoint(before);
			return true;
		}));
	}

	/**
	 * The refusal, which tells the writer only that the number is recorded here. That
	 * disclosure is audited with the Patient it concerns, which the writer is not told.
	 */
	private ResourceVersionConflictException alreadyRecorded(String holder, RequestDetails request) {
		if (holder != null && request != null) {
			request.getUserData().put(NhsNumber.DISCLOSED_HOLDER, "Patient/" + holder);
		}
		return new ResourceVersionConflictException(ALREADY_RECORDED,
				outcome(IssueType.DUPLICATE, ALREADY_RECORDED, "Patient.identifier"));
	}

	private static OperationOutcome outcome(IssueType type, String text, String expression) {
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue()
			.setSeverity(IssueSeverity.ERROR)
			.setCode(type)
			.setDiagnostics(text)
			.addExpression(expression);
		return outcome;
	}

	private static Set<String> nhsNumbers(Patient patient) {
		Set<String> numbers = new LinkedHashSet<>();
		for (Identifier identifier : patient.getIdentifier()) {
			if (NhsNumber.SYSTEM.equals(identifier.getSystem()) && identifier.hasValue()) {
				numbers.add(identifier.getValue());
			}
		}
		return numbers;
	}

	/**
	 * Patients stored before this server kept the table (an upgrade) are not in it: when
	 * it is empty, the numbers of the stored Patients are written to it once.
	 */
	private void fillIfEmpty() {
		Integer rows = this.jdbc.queryForObject("SELECT COUNT(*) FROM " + TABLE, Integer.class);
		if (rows == null || rows > 0) {
			return;
		}
		try {
			fill();
		}
		catch (DataIntegrityViolationException ex) {
			// another server starting at the same time filled it first
			log.info("NHS numbers of stored Patients already recorded by another server");
		}
	}

	/**
	 * Records the NHS number of each stored Patient that is not deleted and whose number
	 * is not recorded yet, read from HAPI's token index; where stored Patients already
	 * share a number (stored before this rule), the first stored keeps it. Returns how
	 * many Patients were left out for that reason.
	 */
	int fill() {
		long system = ResourceIndexedSearchParamToken.calculateHashSystem(this.partitionSettings,
				RequestPartitionId.defaultPartition(), "Patient", Patient.SP_IDENTIFIER, NhsNumber.SYSTEM);
		Map<String, String> holders = new LinkedHashMap<>();
		int[] duplicates = { 0 };
		this.jdbc.query("SELECT r.FHIR_ID, t.SP_VALUE FROM HFJ_SPIDX_TOKEN t JOIN HFJ_RESOURCE r ON r.RES_ID = t.RES_ID"
				+ " WHERE t.HASH_SYS = ? AND t.RES_TYPE = 'Patient' AND r.RES_TYPE = 'Patient'"
				+ " AND r.RES_DELETED_AT IS NULL ORDER BY r.RES_ID", (row) -> {
					String number = row.getString("SP_VALUE");
					String patient = row.getString("FHIR_ID");
					if (number == null || patient == null) {
						return;
					}
					String holder = holders.putIfAbsent(number, patient);
					if (holder != null && !holder.equals(patient)) {
						duplicates[0]++;
					}
				}, system);
		// numbers already recorded stay with the Patient they are recorded for
		this.jdbc.queryForList("SELECT NHS_NUMBER FROM " + TABLE, String.class).forEach(holders::remove);
		if (!holders.isEmpty()) {
			List<Object[]> rows = holders.entrySet()
				.stream()
				.map((entry) -> new Object[] { entry.getKey(), entry.getValue() })
				.toList();
			// all or none: a table filled halfway would look filled
			this.transaction.executeWithoutResult((status) -> this.jdbc
				.batchUpdate("INSERT INTO " + TABLE + " (NHS_NUMBER, PATIENT_ID) VALUES (?, ?)", rows));
			log.info("Recorded the NHS numbers of {} stored Patients", holders.size());
		}
		if (duplicates[0] > 0) {
			log.warn(
					"{} stored Patients have an NHS number an earlier stored Patient also has; each number is"
							+ " recorded for the earlier one, and the duplicate records should be merged",
					duplicates[0]);
		}
		return duplicates[0];
	}

}
