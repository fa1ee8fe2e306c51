/**
 * A synthetic EPaCCS population for demonstrations and benchmarks: a seeded generator of
 * people's records as FHIR transactions that conform to our profiles, with NHS numbers
 * from the range the NHS reserves for testing, and a loader that sends them to a running
 * server with progress and resumption. Run as {@code java -jar epaccs.jar population …}.
 */
package org.openepaccs.population;
