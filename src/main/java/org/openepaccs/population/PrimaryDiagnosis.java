package org.openepaccs.population;

import org.openepaccs.population.SyntheticResources.Code;

/** The diagnosis a synthetic person's register entry names, or none recorded. */
interface PrimaryDiagnosis extends PerThousand {

	boolean recorded();

	/** The coded diagnosis; only when recorded. */
	Code code(boolean female);

	/** The text a clinician would write beside the code; only when recorded. */
	String text(boolean female);

}
