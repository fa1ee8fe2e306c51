package org.openepaccs.common;

import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * Whether the work a thread does for a request may go on: the request's time budget has
 * not run out and its client has not gone. The {@code budget} package opens it for every
 * FHIR request. A database statement can be cancelled from outside; CPU-bound work (the
 * instance validator) cannot, so it asks here at points of its own and stops by throwing
 * {@link Exceeded}, which the request is answered for as over its budget.
 */
public final class WorkDeadline {

	private static final ThreadLocal<BooleanSupplier> current = new ThreadLocal<>();

	private WorkDeadline() {
	}

	/** Opens the deadline of the request this thread serves. */
	public static void begin(BooleanSupplier passed) {
		current.set(passed);
	}

	public static void end() {
		current.remove();
	}

	public static boolean isPassed() {
		BooleanSupplier passed = current.get();
		return passed != null && passed.getAsBoolean();
	}

	/** Stops the work if the request's time is up. */
	public static void check() {
		if (isPassed()) {
			throw new Exceeded();
		}
	}

	/**
	 * The task, bound to this thread's deadline wherever it runs: work a request hands to
	 * another thread stops when the request's time is up too.
	 */
	public static <T> Callable<T> carry(Callable<T> task) {
		BooleanSupplier passed = current.get();
		if (passed == null) {
			return task;
		}
		return () -> {
			BooleanSupplier previous = current.get();
			current.set(passed);
			try {
				return task.call();
			}
			finally {
				if (previous != null) {
					current.set(previous);
				}
				else {
					current.remove();
				}
			}
		};
	}

	/** Work stopped because its request's time was up. */
	public static final class Exceeded extends RuntimeException {

		Exceeded() {
			// thrown from deep inside a validator: where it was thrown tells nobody
			// anything
			super("The request's time budget is used up", null, false, false);
		}

	}

}
