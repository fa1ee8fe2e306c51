package org.openepaccs.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Processor time from Linux's {@code /proc}: of one process, of every PostgreSQL process
 * on this machine, and of the whole machine, so that a benchmark can say where the
 * processors' time went. The kernel counts in clock ticks of 1/100 s ({@code getconf
 * CLK_TCK} on every Linux this runs on).
 */
final class ProcessorTime {

	private static final double TICK = 0.01;

	private ProcessorTime() {
	}

	/** User and system time of one process, seconds; NaN once it has ended. */
	static double ofProcess(long pid) {
		try {
			return ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))) * TICK;
		}
		catch (IOException ended) {
			return Double.NaN;
		}
	}

	/**
	 * User and system time of every process named {@code postgres} (the postmaster, its
	 * workers and one backend per connection), seconds. A backend that ends takes its
	 * time with it, so take the figures while the servers' connection pools are open.
	 */
	static double ofPostgres() throws IOException {
		double seconds = 0;
		try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
			for (Path process : processes) {
				try {
					String stat = Files.readString(process.resolve("stat"));
					if (stat.contains("(postgres)")) {
						seconds += ticks(stat) * TICK;
					}
				}
				catch (IOException ended) {
					// ended while being listed
				}
			}
		}
		return seconds;
	}

	/**
	 * Busy and all processor time of the machine, summed over its processors, seconds.
	 */
	static double[] ofMachine() throws IOException {
		String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
		// cpu user nice system idle iowait irq softirq steal
		long busy = 0;
		long all = 0;
		for (int i = 1; i <= 8 && i < fields.length; i++) {
			long value = Long.parseLong(fields[i]);
			all += value;
			if (i != 4 && i != 5) {
				busy += value;
			}
		}
		return new double[] { busy * TICK, all * TICK };
	}

	/**
	 * utime and stime, the 14th and 15th fields; counted after the command name's closing
	 * parenthesis, since a name may hold spaces.
	 */
	private static long ticks(String stat) {
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
	}

}
