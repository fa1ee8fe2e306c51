package org.openepaccs.population;

/** A choice that a share of the synthetic people get, given in thousandths. */
interface PerThousand {

	/** How many in a thousand people of its kind have it. */
	int perThousand();

	/**
	 * The choice a draw from 0 to 999 falls on, each taking as many draws as its share,
	 * in order.
	 */
	static <T extends PerThousand> T drawn(T[] choices, int draw) {
		if (draw < 0 || draw >= 1000) {
			throw new IllegalArgumentException("a draw runs from 0 to 999, not " + draw);
		}
		int upTo = 0;
		for (T choice : choices) {
			upTo += choice.perThousand();
			if (draw < upTo) {
				return choice;
			}
		}
		throw new IllegalStateException("the shares add up to less than a thousand");
	}

}
