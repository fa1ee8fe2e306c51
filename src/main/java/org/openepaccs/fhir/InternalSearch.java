package org.openepaccs.fhir;

import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;

/**
 * A search the server makes for itself, which must see every match: HAPI's synchronous
 * searches otherwise stop at the default page size (20) without saying so, which left
 * practices of more than 20 people with a partial review worklist.
 */
public final class InternalSearch {

	/** More than any one internal search is expected to find; a bound, not a target. */
	public static final int MOST_RESULTS = 100_000;

	private InternalSearch() {
	}

	public static SearchParameterMap all() {
		return SearchParameterMap.newSynchronous().setCount(MOST_RESULTS);
	}

}
