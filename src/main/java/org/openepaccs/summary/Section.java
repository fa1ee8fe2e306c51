package org.openepaccs.summary;

import java.util.ArrayList;
import java.util.List;

import org.hl7.fhir.r4.model.Resource;

/**
 * What one section of the summary produces: its title and code, the resources it lists as
 * entries, and its narrative. The builder turns it into a Composition section; each
 * section's own class decides what goes in it.
 */
final class Section {

	private final String title;

	private final SectionCode code;

	private final List<Resource> entries = new ArrayList<>();

	private final SectionText text = new SectionText();

	Section(String title, SectionCode code) {
		this.title = title;
		this.code = code;
	}

	/**
	 * Lists a resource as an entry and says it in the narrative with when it was last
	 * changed and by whom, so that what a viewer shows as entries is what a clinician
	 * reads.
	 */
	void add(Resource resource, String line, Names names, PlanRecord record, boolean emphasised) {
		this.entries.add(resource);
		this.text.item(line, names.changed(resource, record.changes().get(PlanRecord.key(resource))), emphasised);
	}

	String title() {
		return this.title;
	}

	SectionCode code() {
		return this.code;
	}

	List<Resource> entries() {
		return this.entries;
	}

	/** The narrative, for what the section says beside its entries. */
	SectionText text() {
		return this.text;
	}

}
