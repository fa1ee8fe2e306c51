package org.openepaccs.common;

/**
 * Marks the security-label changes the server makes to stored resources (HAPI's meta-add
 * and meta-delete, which keep the version): HAPI announces them to the same update hooks
 * as a real change, and a label is not a change to the record, so the hooks that
 * validate, audit, notify or derive records from a change skip them.
 */
public final class LabelOnlyChanges {

	private static final ThreadLocal<Boolean> IN_PROGRESS = ThreadLocal.withInitial(() -> Boolean.FALSE);

	private LabelOnlyChanges() {
	}

	public static boolean inProgress() {
		return IN_PROGRESS.get();
	}

	public static void run(Runnable change) {
		IN_PROGRESS.set(Boolean.TRUE);
		try {
			change.run();
		}
		finally {
			IN_PROGRESS.set(Boolean.FALSE);
		}
	}

}
