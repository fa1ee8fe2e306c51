package org.openepaccs.security;

/** The SMART v2 interactions ({@code c r u d s}). */
public enum Interaction {

	CREATE('c'), READ('r'), UPDATE('u'), DELETE('d'), SEARCH('s');

	private final char letter;

	Interaction(char letter) {
		this.letter = letter;
	}

	public char letter() {
		return this.letter;
	}

}
