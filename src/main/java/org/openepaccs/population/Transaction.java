package org.openepaccs.population;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.hl7.fhir.r4.formats.JsonCreator;
import org.hl7.fhir.r4.formats.JsonParser;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * A FHIR transaction of PUTs, each to its resource's own id, so that sending it twice
 * stores nothing new; and its JSON.
 * <p>
 * The JSON comes from HL7's R4 composer ({@link JsonParser}), code generated for each
 * resource type, writing through a Jackson generator. HAPI's {@code IParser} walks the
 * model by reflection and HL7's own JSON writer escapes a character at a time, either of
 * which makes generating a benchmark's population of 100,000 several times slower.
 */
final class Transaction {

	private static final JsonFactory JSON = new JsonFactory();

	private final Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);

	Transaction put(Resource resource) {
		String url = resource.fhirType() + "/" + resource.getIdPart();
		this.bundle.addEntry()
			.setFullUrl(url)
			.setResource(resource)
			.getRequest()
			.setMethod(Bundle.HTTPVerb.PUT)
			.setUrl(url);
		return this;
	}

	String json() {
		StringWriter json = new StringWriter(16_384);
		try (JsonGenerator generator = JSON.createGenerator(json)) {
			generator.writeStartObject();
			new JsonParser().compose(new JacksonCreator(generator), this.bundle);
			generator.writeEndObject();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return json.toString();
	}

	/** What HL7's composer writes, handed to Jackson; no indent, no comments. */
	private record JacksonCreator(JsonGenerator generator) implements JsonCreator {

		@Override
		public void setIndent(String indent) {
		}

		@Override
		public void beginObject() throws IOException {
			this.generator.writeStartObject();
		}

		@Override
		public void endObject() throws IOException {
			this.generator.writeEndObject();
		}

		@Override
		public void nullValue() throws IOException {
			this.generator.writeNull();
		}

		@Override
		public void name(String name) throws IOException {
			this.generator.writeFieldName(name);
		}

		@Override
		public void value(String value) throws IOException {
			this.generator.writeString(value);
		}

		@Override
		public void value(Boolean value) throws IOException {
			this.generator.writeBoolean(value);
		}

		@Override
		public void value(BigDecimal value) throws IOException {
			this.generator.writeNumber(value);
		}

		@Override
		public void valueNum(String value) throws IOException {
			this.generator.writeNumber(value);
		}

		@Override
		public void value(Integer value) throws IOException {
			this.generator.writeNumber(value);
		}

		@Override
		public void beginArray() throws IOException {
			this.generator.writeStartArray();
		}

		@Override
		public void endArray() throws IOException {
			this.generator.writeEndArray();
		}

		@Override
		public void finish() {
		}

		@Override
		public void link(String href) {
		}

	}

}
