<?php
/**
 * Harness step 3 (every start): points the site at its current URL and gives each test user a
 * fresh application password, revoking the ones earlier starts made.
 *
 * Input: port, url, logins {role key: login name}, output. Output: {role key: {user, app_password}}.
 */

require __DIR__ . '/bootstrap.php';
require '/usr/share/wordpress/wp-load.php';

$clinicdesk_url = (string) $clinicdesk_input['url'];
if ( get_option( 'siteurl' ) !== $clinicdesk_url ) {
	update_option( 'siteurl', $clinicdesk_url );
}
if ( get_option( 'home' ) !== $clinicdesk_url ) {
	update_option( 'home', $clinicdesk_url );
}

const CLINICDESK_HARNESS_APP = 'clinicdesk-test-harness';

$clinicdesk_result = array();
foreach ( $clinicdesk_input['logins'] as $clinicdesk_key => $clinicdesk_login ) {
	$clinicdesk_user = get_user_by( 'login', (string) $clinicdesk_login );
	if ( ! $clinicdesk_user ) {
		clinicdesk_harness_fail( 'no such user: ' . $clinicdesk_login );
	}
	foreach ( WP_Application_Passwords::get_user_application_passwords( $clinicdesk_user->ID ) as $clinicdesk_item ) {
		if ( CLINICDESK_HARNESS_APP === $clinicdesk_item['name'] ) {
			WP_Application_Passwords::delete_application_password( $clinicdesk_user->ID, $clinicdesk_item['uuid'] );
		}
	}
	$clinicdesk_created = WP_Application_Passwords::create_new_application_password(
		$clinicdesk_user->ID,
		array( 'name' => CLINICDESK_HARNESS_APP )
	);
	if ( is_wp_error( $clinicdesk_created ) ) {
		clinicdesk_harness_fail( 'application password for ' . $clinicdesk_login . ': ' . $clinicdesk_created->get_error_message() );
	}
	$clinicdesk_result[ $clinicdesk_key ] = array(
		'user'         => (string) $clinicdesk_login,
		'app_password' => $clinicdesk_created[0],
	);
}

clinicdesk_harness_output( $clinicdesk_result );
