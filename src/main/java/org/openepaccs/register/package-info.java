/**
 * The palliative care register's lifecycle: the register entry (EpisodeOfCare) is the
 * source of truth, and the server keeps what follows from it in step.
 */
package org.openepaccs.register;
