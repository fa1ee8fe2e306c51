/**
 * The few helpers every feature shares: request ids, FHIR OperationOutcome error
 * responses written outside HAPI, and the lock replicas take around what a start writes
 * to the database.
 */
package org.openepaccs.common;
