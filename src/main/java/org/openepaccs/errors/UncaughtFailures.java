package org.openepaccs.errors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;

/**
 * Logs the failure that ends a thread, where nothing else catches it, through the log
 * rather than the JVM's default print to standard error. Printed there it would be a bare
 * stack trace: no time, no level, and outside every rule the log keeps (a database outage
 * is logged once, not once per failure; nothing identifiable is logged). Pool threads of
 * libraries (a task given to {@code execute}) end this way.
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
		log.error("Thread {} ended on a failure nothing handled", thread.getName(), failure);
	}

	@Override
	public void destroy() {
		// a server started in a test's JVM leaves it as it found it
		if (Thread.getDefaultUncaughtExceptionHandler() == this) {
			Thread.setDefaultUncaughtExceptionHandler(this.previous);
		}
	}

}
