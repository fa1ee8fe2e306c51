package org.openepaccs.audit;

import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/**
 * A reference search value of the audit trail's own searches (AuditEvent, Provenance) as
 * its tables keep it, {@code Type/id}, from any form a client may send; chains are
 * refused, since the trail is not indexed for them.
 */
final class PlainReference {

	private PlainReference() {
	}

	/**
	 * @param searched the resource type searched, for the messages
	 * @param impliedType the type the parameter can only name, or null for any
	 * @param name the parameter's name, for the messages
	 */
	static String of(String searched, ReferenceParam param, String impliedType, String name) {
		if (param == null) {
			return null;
		}
		if (param.getChain() != null
				|| param.hasResourceType() && impliedType != null && !impliedType.equals(param.getResourceType())) {
			throw new InvalidRequestException(searched + " search parameter '" + name + "' takes a plain reference"
					+ ((impliedType != null) ? " to a " + impliedType : " (Type/id)"));
		}
		String type = param.hasResourceType() ? param.getResourceType() : impliedType;
		if (type == null) {
			throw new InvalidRequestException(
					searched + " search parameter '" + name + "' needs the resource type, as in Type/id");
		}
		return type + "/" + param.getIdPart();
	}

}
