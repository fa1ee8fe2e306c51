/**
 * The PEoLC conformance package (built from {@code profiles/} into the application):
 * loaded and snapshotted once, installed into the repository at start-up without the
 * network, and enforced on write (declared profiles, NHS number check digit).
 */
package org.openepaccs.conformance;
