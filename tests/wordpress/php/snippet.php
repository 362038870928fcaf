<?php
/**
 * Runs a test's PHP inside the test site (tests/fixtures/wordpress_php.py): loads WordPress and
 * its admin functions (plugins, privacy, users), includes the snippet file named by the input, and
 * hands back what the snippet returns.
 *
 * Input: port, snippet (a PHP file), data (anything the snippet reads as $clinicdesk_data), output.
 */

require __DIR__ . '/bootstrap.php';
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
require_once ABSPATH . 'wp-admin/includes/user.php';
require_once ABSPATH . 'wp-admin/includes/file.php';

$clinicdesk_data = $clinicdesk_input['data'] ?? null;
$clinicdesk_out  = ( static function ( string $file, $data ) {
	$clinicdesk_data = $data;
	return require $file;
} )( (string) $clinicdesk_input['snippet'], $clinicdesk_data );
clinicdesk_harness_output( array( 'result' => $clinicdesk_out ) );
