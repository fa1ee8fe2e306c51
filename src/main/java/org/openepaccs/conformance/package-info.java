/**
 * The PEoLC conformance package (built from {@code profiles/} into the application):
 * loaded and snapshotted once, installed into the repository at start-up without the
 * network, and enforced on write: every resource against base FHIR R4, and against our
 * profile where its codes make it EPaCCS content.
 */
package org.openepaccs.conformance;
