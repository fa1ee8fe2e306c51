/**
 * Change notifications: FHIR R4 {@code Subscription}s with a rest-hook channel. A change
 * that matches a subscription's criteria is put in an outbox in the change's own database
 * transaction, and delivered from there with retries that back off and go on for hours,
 * across restarts and replicas, to public https addresses only unless a deployer widens
 * that, with one back-off per receiver.
 */
package org.openepaccs.notification;
