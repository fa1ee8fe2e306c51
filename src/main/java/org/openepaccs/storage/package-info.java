/**
 * HAPI FHIR JPA storage: the entity manager and storage settings, the HAPI schema created
 * and migrated before Hibernate starts, and the planner statistics on HAPI's index
 * tables. Storage hooks of other packages reach HAPI's interceptor service from here.
 */
package org.openepaccs.storage;
