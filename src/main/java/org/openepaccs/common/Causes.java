package org.openepaccs.common;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Finds, among a failure and the causes HAPI, Spring, Hibernate and the driver wrap it
 * in, the one that says what went wrong. A chain can be cyclic ({@code initCause} refuses
 * only the exception itself) and suppressed exceptions can suppress each other, so each
 * exception is looked at once and at most {@link #MOST_LOOKED_AT} in all: an error answer
 * never loops or overflows the stack on a malformed chain.
 */
public final class Causes {

	/** Far more than the libraries nest; what is deeper is not looked at. */
	static final int MOST_LOOKED_AT = 64;

	private Causes() {
	}

	/** The failure or the first of its causes, in order, that matches. */
	public static Optional<Throwable> first(Throwable failure, Predicate<Throwable> matches) {
		return Optional.ofNullable(search(failure, matches, false));
	}

	/** Whether the failure or any of its causes matches. */
	public static boolean any(Throwable failure, Predicate<Throwable> matches) {
		return search(failure, matches, false) != null;
	}

	/**
	 * Whether the failure, any of its causes, or any exception suppressed along the way
	 * (a resource's failure to close, say, with its own causes) matches.
	 */
	public static boolean anyWithSuppressed(Throwable failure, Predicate<Throwable> matches) {
		return search(failure, matches, true) != null;
	}

	private static Throwable search(Throwable failure, Predicate<Throwable> matches, boolean withSuppressed) {
		Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		Deque<Throwable> next = new ArrayDeque<>();
		if (failure != null) {
			next.push(failure);
		}
		while (!next.isEmpty() && seen.size() < MOST_LOOKED_AT) {
			Throwable cause = next.pop();
			if (!seen.add(cause)) {
				continue;
			}
			if (matches.test(cause)) {
				return cause;
			}
			// the cause after what this one suppressed, each of them with its own causes
			if (cause.getCause() != null) {
				next.push(cause.getCause());
			}
			if (withSuppressed) {
				Throwable[] suppressed = cause.getSuppressed();
				for (int i = suppressed.length - 1; i >= 0; i--) {
					next.push(suppressed[i]);
				}
			}
		}
		return null;
	}

}
