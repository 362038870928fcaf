<?php
/**
 * Harness step (every start): activates the ClinicDesk plugin, installed from clinicdesk.zip into
 * wp-content/plugins, through WordPress's own activate_plugin(), so that its activation hook runs
 * (a plugin already active is left as it is: its schema check upgrades it on the next request).
 *
 * Input: port, plugin (e.g. clinicdesk/clinicdesk.php), output. Output: {activated, schema}.
 */

require __DIR__ . '/bootstrap.php';
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

$clinicdesk_plugin = (string) $clinicdesk_input['plugin'];
$clinicdesk_was    = is_plugin_active( $clinicdesk_plugin );
$clinicdesk_result = activate_plugin( $clinicdesk_plugin );
if ( is_wp_error( $clinicdesk_result ) ) {
	clinicdesk_harness_fail( 'activate_plugin: ' . $clinicdesk_result->get_error_message() );
}
clinicdesk_harness_output(
	array(
		'activated' => ! $clinicdesk_was,
		'schema'    => (int) get_option( 'clinicdesk_schema_version', 0 ),
	)
);
