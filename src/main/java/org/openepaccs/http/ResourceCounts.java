package org.openepaccs.http;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Counts the elements and extensions of each resource in a body as it is read, and says
 * when one has more than the limits allow. The instance validator's work grows faster
 * than the count of elements, and with extensions much faster (each one is looked up and
 * reported on), so a resource well inside every byte limit can cost minutes of CPU; a
 * count taken while scanning the body refuses it before any parser or validator sees it.
 * <p>
 * A resource is the body itself, or the value of a {@code resource} member (a Bundle
 * entry's or a Parameters parameter's). Contained resources count towards the resource
 * that contains them, because they are validated with it. In a transaction or batch the
 * Bundle's own elements are not counted: each entry's resource is.
 */
final class ResourceCounts {

	private final HttpProperties.Limits limits;

	/** Per open resource: its elements and its extensions so far. */
	private final Deque<long[]> open = new ArrayDeque<>();

	ResourceCounts(HttpProperties.Limits limits) {
		this.limits = limits;
	}

	void enterResource() {
		this.open.push(new long[2]);
	}

	void leaveResource() {
		this.open.pop();
	}

	/**
	 * Counts one element of the innermost open resource, and whether it is an extension.
	 * @param where where the element is, for the message
	 * @return what is wrong, or null
	 */
	String count(boolean extension, String where) {
		long[] counts = this.open.peek();
		if (counts == null) {
			return null;
		}
		if (++counts[0] > this.limits.maxElementsPerResource()) {
			return "A resource in the body has more than " + this.limits.maxElementsPerResource() + " elements (at "
					+ where + "); this server accepts at most "
					+ HttpProperties.Limits.describe("max-elements-per-resource", this.limits.maxElementsPerResource());
		}
		if (extension && ++counts[1] > this.limits.maxExtensionsPerResource()) {
			return "A resource in the body has more than " + this.limits.maxExtensionsPerResource() + " extensions (at "
					+ where + "); this server accepts at most " + HttpProperties.Limits
						.describe("max-extensions-per-resource", this.limits.maxExtensionsPerResource());
		}
		return null;
	}

	static boolean isExtension(String name) {
		return "extension".equals(name) || "modifierExtension".equals(name);
	}

}
