<?php
/**
 * Plugin Name: ClinicDesk (must-use loader)
 * Description: Loads the ClinicDesk plugin from wp-content/plugins/clinicdesk as a must-use plugin, so that nobody can deactivate it from the Plugins screen. Optional: the regular plugin is the usual way.
 * License:     GPL-2.0-or-later
 *
 * Copy this one file to wp-content/mu-plugins/ and the clinicdesk folder to wp-content/plugins/
 * (without activating it there). Must-use plugins have no activation hook: the plugin installs its
 * tables and roles on the first request instead (its schema check on `init`). Uninstalling is then
 * manual: delete this file, activate and delete the plugin from the Plugins screen.
 *
 * @package ClinicDesk
 */

defined( 'ABSPATH' ) || exit;

if ( file_exists( WP_PLUGIN_DIR . '/clinicdesk/clinicdesk.php' ) ) {
	require_once WP_PLUGIN_DIR . '/clinicdesk/clinicdesk.php';
}
