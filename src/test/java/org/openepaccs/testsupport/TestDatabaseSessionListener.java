package org.openepaccs.testsupport;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Drops the databases this test run created once every test has finished. */
public class TestDatabaseSessionListener implements LauncherSessionListener {

	@Override
	public void launcherSessionClosed(LauncherSession session) {
		TestDatabase.stop();
	}

}
