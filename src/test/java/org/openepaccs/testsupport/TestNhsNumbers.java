package org.openepaccs.testsupport;

import java.util.concurrent.atomic.AtomicInteger;

import org.openepaccs.common.NhsNumber;

/**
 * Valid NHS numbers from the range reserved for testing (999...), each handed out once
 * per test run: the server keeps an NHS number on one Patient only, and every integration
 * test of a run shares one database. They start at 9990500000, clear of the examples'
 * numbers (9990000018 and the like) and of the synthetic population (9991000000 up).
 */
public final class TestNhsNumbers {

	private static final AtomicInteger next = new AtomicInteger(50_000);

	private TestNhsNumbers() {
	}

	public static String unused() {
		while (true) {
			String nine = String.format("999%06d", next.getAndIncrement());
			int check = NhsNumber.checkDigit(nine);
			if (check < 10) {
				return nine + check;
			}
		}
	}

}
