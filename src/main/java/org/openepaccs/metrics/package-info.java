/**
 * The ICB metrics: the seven palliative and end of life care indicators of issue 19 as
 * {@code Measure/{id}/$evaluate-measure}, answered with summary MeasureReports that are
 * aggregate only and disclosure-controlled. It owns the reading of the facts the
 * indicators need from HAPI's search indexes (one SQL query a fact, never a person's
 * resource), the counting by stratum, small-number suppression and rounding, Wilson
 * intervals and the MeasureReport. It uses HAPI's storage (its index tables and the
 * hashes it searches them by), {@code common} and the {@code server} marker interface for
 * operation providers; who may call it is decided in {@code security}.
 */
package org.openepaccs.metrics;
