<?php
/**
 * Text handling of inquiry fields.
 *
 * @package ClinicDesk
 */

defined( 'ABSPATH' ) || exit;

/* -------------------------------------------------------------------------------------------------
 * Text handling.
 *
 * Inquiry fields are stored as plain text and are never rendered as HTML: they leave WordPress
 * only as JSON strings (REST) or escaped (the title, wherever WordPress renders it). So the plugin
 * does not strip "<" or anything that merely looks like markup from what a person wrote ("<3",
 * "dose < 5 mg" must survive); it removes what is never text: invalid UTF-8, control characters,
 * and (for one-line fields) line breaks.
 * ------------------------------------------------------------------------------------------ */

/**
 * Sanitizes a one-line text field: valid UTF-8, control characters (line breaks too) made spaces,
 * trimmed. Inner spacing is kept as the person typed it.
 *
 * @param mixed $value The raw value.
 */
function clinicdesk_sanitize_line( $value ): string {
	if ( ! is_scalar( $value ) ) {
		return '';
	}
	$text = wp_check_invalid_utf8( (string) $value );
	$text = (string) preg_replace( '/[\x00-\x1F\x7F]/u', ' ', $text );
	return trim( $text );
}

/**
 * Sanitizes a multi-line text field: like a line, but keeps line breaks (normalized to "\n") and tabs.
 *
 * @param mixed $value The raw value.
 */
function clinicdesk_sanitize_text( $value ): string {
	if ( ! is_scalar( $value ) ) {
		return '';
	}
	$text = wp_check_invalid_utf8( (string) $value );
	$text = str_replace( array( "\r\n", "\r" ), "\n", $text );
	$text = (string) preg_replace( '/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]+/u', '', $text );
	return trim( $text );
}

/**
 * A UTC date-time as `YYYY-MM-DDTHH:MM:SS` (a zone, if given, is ignored: the value is UTC, as
 * WordPress treats `date_gmt`); '' when it is not a date.
 *
 * @param mixed $value The raw value.
 */
function clinicdesk_sanitize_gmt( $value ): string {
	$timestamp = is_string( $value ) ? rest_parse_date( $value, true ) : false;
	return false === $timestamp ? '' : gmdate( 'Y-m-d\TH:i:s', $timestamp );
}

/**
 * Sanitizes an email address field (one line; the address itself was validated by the schema).
 *
 * @param mixed $value The raw value.
 */
function clinicdesk_sanitize_email( $value ): string {
	return clinicdesk_sanitize_line( $value );
}

/**
 * The value of a boolean meta field, from whatever WordPress or a caller handed over.
 *
 * @param mixed $value The raw value.
 */
function clinicdesk_sanitize_bool( $value ): bool {
	return rest_sanitize_boolean( $value );
}

/**
 * A UTC time as WordPress's REST API writes `date_gmt`: `YYYY-MM-DDTHH:MM:SS`, no zone.
 *
 * @param int|null $timestamp Unix time; now when null.
 */
function clinicdesk_gmt( ?int $timestamp = null ): string {
	return gmdate( 'Y-m-d\TH:i:s', $timestamp ?? time() );
}
