/**
 * The few helpers every feature shares: request ids and FHIR OperationOutcome error
 * responses written outside HAPI.
 */
package org.openepaccs.common;
