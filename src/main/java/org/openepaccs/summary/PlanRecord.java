package org.openepaccs.summary;

import java.util.List;
import java.util.Map;

import org.hl7.fhir.r4.model.Resource;
import org.openepaccs.audit.RecordChanges;

/**
 * What the summary is built from: the current version of every resource of one person's
 * record that the caller may see, the directory entries (organisations, practitioners,
 * their roles) those resources name, and who last changed each.
 *
 * @param record the person's resources, the Patient among them
 * @param directory organisations, practitioners and roles named by the record, by
 * {@code Type/id}
 * @param changes the latest change of each resource, by {@code Type/id}, where known
 */
record PlanRecord(List<Resource> record, Map<String, Resource> directory, Map<String, RecordChanges.Change> changes) {

	PlanRecord {
		record = List.copyOf(record);
		directory = Map.copyOf(directory);
		changes = Map.copyOf(changes);
	}

	<T extends Resource> List<T> all(Class<T> type) {
		return this.record.stream().filter(type::isInstance).map(type::cast).toList();
	}

	/** {@code Type/id}: how the directory and the changes name a resource. */
	static String key(Resource resource) {
		return resource.fhirType() + "/" + resource.getIdElement().getIdPart();
	}

}
