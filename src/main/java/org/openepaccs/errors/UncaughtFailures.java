package org.openepaccs.errors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;

/**
 * Logs the failure that ends a thread, where nothing else catches it, through the log
 * rather than the JVM's default print to standard error. Printed there it is a bare stack
 * trace, with no time or level, and outside the log's filters: a database outage is
 * logged once ({@code budget/OutageLogFilter}), not once per failing thread. It logs what
 * the JVM would have printed, no less and no more. Pool threads of libraries (a task
 * given to {@code execute}) end this way; a thread or group with a handler of its own
 * keeps it.
 */
final class UncaughtFailures implements Thread.UncaughtExceptionHandler, DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(UncaughtFailures.class);

	private final Thread.UncaughtExceptionHandler previous;

	UncaughtFailures() {
		this.previous = Thread.getDefaultUncaughtExceptionHandler();
		Thread.setDefaultUncaughtExceptionHandler(this);
	}

	@Override
	public void uncaughtException(Thread thread, Throwable failure) {
		try {
			log.error("Thread {} ended on a failure nothing handled", thread.getName(), failure);
		}
		catch (RuntimeException ex) {
			// the log is stopping with the JVM: printed as the JVM would have
			failure.printStackTrace();
		}
	}

	@Override
	public void destroy() {
		// a server started in a test's JVM leaves it as it found it
		if (Thread.getDefaultUncaughtExceptionHandler() == this) {
			Thread.setDefaultUncaughtExceptionHandler(this.previous);
		}
	}

}
