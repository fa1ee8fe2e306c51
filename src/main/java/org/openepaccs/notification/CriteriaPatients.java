package org.openepaccs.notification;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry.SearchParamLookupContextEnum;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.openepaccs.security.ConsentDirectory;

import org.springframework.stereotype.Component;

/**
 * The patients a Subscription's criteria name, and whether a subscribing organisation may
 * name them: a patient it may see is one stored here who has not refused to share with
 * it. A patient who has refused is answered exactly as one who does not exist, so that a
 * subscription cannot be used to learn who is hidden; break-glass does not help, since a
 * standing subscription is not an emergency.
 */
@Component
class CriteriaPatients {

	private final ISearchParamRegistry searchParams;

	private final DaoRegistry daoRegistry;

	private final ConsentDirectory directory;

	CriteriaPatients(ISearchParamRegistry searchParams, DaoRegistry daoRegistry, ConsentDirectory directory) {
		this.searchParams = searchParams;
		this.daoRegistry = daoRegistry;
		this.directory = directory;
	}

	/**
	 * The ids of the patients the criteria name: {@code Patient?_id=}, and the values of
	 * reference parameters that may point at a patient ({@code patient}, {@code subject},
	 * {@code subject:Patient}). A bare id on a parameter that may also point elsewhere
	 * counts as a patient: without its type it cannot be told from one. Chains are left
	 * to the matcher, which refuses them.
	 */
	Set<String> named(String criteria) {
		int query = criteria.indexOf('?');
		String type = (query < 0) ? criteria : criteria.substring(0, query);
		Set<String> patients = new LinkedHashSet<>();
		if (query < 0) {
			return patients;
		}
		for (String pair : criteria.substring(query + 1).split("&")) {
			int equals = pair.indexOf('=');
			if (equals <= 0) {
				continue;
			}
			String name = decode(pair.substring(0, equals));
			List<String> values = orValues(decode(pair.substring(equals + 1)));
			int colon = name.indexOf(':');
			String parameter = (colon < 0) ? name : name.substring(0, colon);
			String modifier = (colon < 0) ? null : name.substring(colon + 1);
			if (parameter.contains(".")) {
				continue;
			}
			if ("Patient".equals(type) && "_id".equals(parameter) && modifier == null) {
				patients.addAll(values);
				continue;
			}
			RuntimeSearchParam definition = this.searchParams.getActiveSearchParam(type, parameter,
					SearchParamLookupContextEnum.SEARCH);
			if (definition == null || definition.getParamType() != RestSearchParameterTypeEnum.REFERENCE) {
				continue;
			}
			boolean mayBePatient = !definition.hasTargets() || definition.getTargets().contains("Patient");
			if (modifier != null) {
				if ("Patient".equals(modifier)) {
					values.forEach((value) -> patients
						.add(new IdType(value).hasResourceType() ? new IdType(value).getIdPart() : value));
				}
				continue; // another type, or :missing, :identifier and the like
			}
			for (String value : values) {
				IdType id = new IdType(value);
				if (id.hasResourceType()) {
					if ("Patient".equals(id.getResourceType()) && id.hasIdPart()) {
						patients.add(id.getIdPart());
					}
				}
				else if (mayBePatient) {
					patients.add(value);
				}
			}
		}
		return patients;
	}

	/**
	 * Whether the organisation (null: none recorded) may name this patient: stored here
	 * and not hidden from it.
	 */
	boolean known(String patientId, String organisation) {
		try {
			this.daoRegistry.getResourceDao(Patient.class)
				.read(new IdType("Patient", patientId), new SystemRequestDetails());
		}
		catch (ResourceNotFoundException | ResourceGoneException | InvalidRequestException ex) {
			return false;
		}
		Set<String> custodians = this.directory.custodiansIfRefused(patientId);
		return custodians == null || (organisation != null && custodians.contains(organisation));
	}

	private static String decode(String text) {
		try {
			return URLDecoder.decode(text, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return text; // a malformed escape: the matcher refuses the criteria
		}
	}

	/** A search value's alternatives: split at commas not escaped with a backslash. */
	private static List<String> orValues(String value) {
		List<String> values = new ArrayList<>();
		StringBuilder current = new StringBuilder();
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '\\' && i + 1 < value.length()) {
				current.append(value.charAt(++i));
			}
			else if (c == ',') {
				values.add(current.toString());
				current.setLength(0);
			}
			else {
				current.append(c);
			}
		}
		values.add(current.toString());
		values.removeIf(String::isBlank);
		return values;
	}

}
