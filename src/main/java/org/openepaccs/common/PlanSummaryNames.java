package org.openepaccs.common;

/**
 * What the plan summary operation is called and says when it finds nobody: shared with
 * the consent rule, which answers for a hidden person exactly as for a number not known.
 */
public final class PlanSummaryNames {

	public static final String OPERATION = "$epaccs-summary";

	public static final String NO_SUCH_NHS_NUMBER = "No person with this NHS number is known here";

	private PlanSummaryNames() {
	}

}
