package org.openepaccs.notification;

import java.util.HashMap;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The organisation (ODS code) that created each Subscription, in a table of our own
 * rather than on the Subscription: a tag or extension there is the client's to change on
 * its next update, and the organisation decides whose changes the subscription hears of.
 * Written in the create's own transaction and never changed by an update. A subscription
 * without a row (stored before this table, or re-created by an update after its delete)
 * has no organisation, and so hears of nobody who has refused to share.
 */
@Component
class Subscribers {

	static final String SUBSCRIBERS = "EPACCS_SUBSCRIBER";

	private final JdbcTemplate jdbc;

	Subscribers(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	void created(String subscription, String organisation) {
		// an id HAPI allows to be created again was deleted first, and its row with it
		this.jdbc.update("DELETE FROM " + SUBSCRIBERS + " WHERE SUBSCRIPTION = ?", subscription);
		this.jdbc.update("INSERT INTO " + SUBSCRIBERS + " (SUBSCRIPTION, ORGANISATION) VALUES (?, ?)", subscription,
				organisation);
	}

	void deleted(String subscription) {
		this.jdbc.update("DELETE FROM " + SUBSCRIBERS + " WHERE SUBSCRIPTION = ?", subscription);
	}

	/** Each subscription's organisation; a subscription without one is left out. */
	Map<String, String> organisations() {
		Map<String, String> organisations = new HashMap<>();
		this.jdbc.query("SELECT SUBSCRIPTION, ORGANISATION FROM " + SUBSCRIBERS + " WHERE ORGANISATION IS NOT NULL",
				(row) -> {
					organisations.put(row.getString("SUBSCRIPTION"), row.getString("ORGANISATION"));
				});
		return organisations;
	}

}
