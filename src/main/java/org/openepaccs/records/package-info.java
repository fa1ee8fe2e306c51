/**
 * The rules about what a person's record may contain, whatever profile a resource
 * declares: one NHS number per person and per Patient, at most one active register entry
 * and CPR decision, preferences in order, a place of death only after a death, writes to
 * one person's record serialised. {@link org.openepaccs.records.RecordMeanings} says what
 * the codes make a resource, for every package that reads the record.
 */
package org.openepaccs.records;
