package org.openepaccs.common;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.event.ApplicationReadyEvent;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * The training start's exit acts only in a JVM recording an ahead-of-time cache: set by
 * mistake on a serving replica (this test's JVM records none), the property leaves the
 * server running.
 */
class TrainingRunExitTest {

	@Test
	void aJvmRecordingNoCacheIsLeftRunning() {
		ApplicationReadyEvent ready = mock(ApplicationReadyEvent.class);

		new TrainingRunExit().ready(ready);

		verify(ready, never()).getApplicationContext();
	}

}
