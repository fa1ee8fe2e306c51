package org.openepaccs.audit;

import java.util.List;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.UnexpectedRollbackException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Turns outbox rows into {@code AuditEvent} resources, in batches, each batch in one
 * transaction with the removal of its rows, so that every event is stored exactly once
 * even with several replicas (rows are locked while they are published).
 * <p>
 * A batch that fails is published again row by row, so that one event cannot hold up the
 * others. An event about a resource that does not exist (a refused read of an unknown id,
 * a delete) cannot keep a reference to it, because the server enforces referential
 * integrity: it is stored with the reference as a logical identifier instead. An event
 * that still cannot be stored is left in the outbox after {@link #MAX_ATTEMPTS} attempts
 * and reported in the log, with its outbox id only.
 */
@Component
class AuditPublisher {

	private static final Logger log = LoggerFactory.getLogger(AuditPublisher.class);

	private static final int BATCH = 200;

	static final int MAX_ATTEMPTS = 5;

	/** How a reference that cannot be resolved is kept: as a logical identifier. */
	static final String LOGICAL_REFERENCE = "urn:ietf:rfc:3986";

	private final AuditOutbox outbox;

	private final DaoRegistry daoRegistry;

	private final TransactionTemplate transaction;

	AuditPublisher(AuditOutbox outbox, DaoRegistry daoRegistry, PlatformTransactionManager transactionManager) {
		this.outbox = outbox;
		this.daoRegistry = daoRegistry;
		this.transaction = new TransactionTemplate(transactionManager);
	}

	@Scheduled(fixedDelayString = "${epaccs.audit.publish-interval:1s}", initialDelayString = "5s")
	void publishWaiting() {
		try {
			int published;
			do {
				try {
					Integer count = this.transaction.execute((status) -> publishBatch());
					published = (count != null) ? count : 0;
				}
				catch (BaseServerResponseException | UnexpectedRollbackException ex) {
					published = publishOneByOne();
				}
			}
			while (published == BATCH);
		}
		catch (RuntimeException ex) {
			// e.g. the database is unreachable: the rows stay and a later run publishes
			// them
			log.warn("Publishing audit events failed, will retry: {}", ex.getClass().getSimpleName());
		}
	}

	private int publishBatch() {
		List<AuditOutbox.Pending> pending = this.outbox.lockOldest(BATCH);
		for (AuditOutbox.Pending row : pending) {
			store(this.outbox.parse(row));
			this.outbox.remove(row.id());
		}
		return pending.size();
	}

	private int publishOneByOne() {
		List<AuditOutbox.Pending> pending = this.transaction.execute((status) -> this.outbox.lockOldest(BATCH));
		if (pending == null) {
			return 0;
		}
		for (AuditOutbox.Pending row : pending) {
			if (!publishRow(row, false) && !publishRow(row, true)) {
				int attempts = this.outbox.countAttempt(row.id());
				if (attempts == MAX_ATTEMPTS) {
					log.warn("Audit event {} in the outbox could not be stored after {} attempts; it stays in "
							+ "table {} for an operator", row.id(), attempts, AuditOutbox.TABLE);
				}
			}
		}
		return pending.size();
	}

	private boolean publishRow(AuditOutbox.Pending row, boolean logicalReferences) {
		try {
			this.transaction.executeWithoutResult((status) -> {
				if (this.outbox.lock(row.id())) {
					AuditEvent event = this.outbox.parse(row);
					if (logicalReferences) {
						keepReferencesLogically(event);
					}
					store(event);
					this.outbox.remove(row.id());
				}
			});
			return true;
		}
		catch (BaseServerResponseException | UnexpectedRollbackException ex) {
			return false;
		}
	}

	private void store(AuditEvent event) {
		this.daoRegistry.getResourceDao(AuditEvent.class).create(event, new SystemRequestDetails());
	}

	static void keepReferencesLogically(AuditEvent event) {
		for (AuditEvent.AuditEventEntityComponent entity : event.getEntity()) {
			if (entity.getWhat().hasReference()) {
				String reference = entity.getWhat().getReference();
				entity.setWhat(
						new Reference().setIdentifier(new Identifier().setSystem(LOGICAL_REFERENCE).setValue(reference))
							.setDisplay(reference));
			}
		}
	}

}
