<?php
/**
 * The notification email sent to the clinic when a new consultation request arrives.
 *
 * It says that a request arrived and nothing else: no name, no contact detail, nothing of the
 * message and not whether it looked urgent. Email is not a safe place for health information;
 * staff read the request in ClinicDesk.
 *
 * @package ClinicDesk
 */

defined( 'ABSPATH' ) || exit;

/**
 * The addresses notified: the setting `clinicdesk_notify_recipients` (one per line), else the
 * site's administration email address.
 *
 * @return list<string>
 */
function clinicdesk_notify_recipients(): array {
	$chosen = array();
	foreach ( preg_split( '/[\s,;]+/', (string) get_option( 'clinicdesk_notify_recipients', '' ), -1, PREG_SPLIT_NO_EMPTY ) as $address ) {
		if ( is_email( $address ) ) {
			$chosen[] = $address;
		}
	}
	if ( ! $chosen ) {
		$admin  = (string) get_option( 'admin_email', '' );
		$chosen = is_email( $admin ) ? array( $admin ) : array();
	}
	return array_values( array_unique( $chosen ) );
}

/**
 * Emails the chosen recipients that a new request arrived (no detail of it at all). A mail
 * failure never loses the request: it is already stored.
 */
function clinicdesk_notify_new_inquiry(): void {
	$recipients = clinicdesk_notify_recipients();
	if ( ! $recipients ) {
		return;
	}
	$site = wp_specialchars_decode( (string) get_option( 'blogname', '' ), ENT_QUOTES );
	/* translators: %s: the site's name. */
	$subject = sprintf( __( 'New consultation request on %s', 'clinicdesk' ), $site );
	/* translators: %s: the site's name. */
	$body = sprintf( __( 'A new consultation request arrived on %s. Open ClinicDesk to read it.', 'clinicdesk' ), $site );
	wp_mail( $recipients, $subject, $body );
}
