<?php
/**
 * Plugin Name:       ClinicDesk
 * Plugin URI:        https://github.com/clinicdesk/clinicdesk
 * Description:       Private consultation inquiries, their triage fields and notes, and the public consultation form endpoint used by the ClinicDesk desktop app.
 * Version:           1.2.0
 * Requires at least: 6.1
 * Requires PHP:      8.0
 * Author:            ClinicDesk
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       clinicdesk
 * Domain Path:       /languages
 *
 * The contract this plugin serves is docs/site-api.md of the ClinicDesk repository ("plugin" parts):
 *
 * - the private post type `clinicdesk_inquiry` at `wp/v2/inquiries`, its meta, and `private` as the
 *   default status of its collection; staff write only the triage fields and the client id;
 * - the role `clinicdesk_intake` and the capabilities `clinicdesk_manage_inquiries` /
 *   `clinicdesk_delete_inquiries`;
 * - `meta.clinicdesk_client_id` on posts and media (attachments) and the `clinicdesk_client_id`
 *   collection parameter of both;
 * - `clinicdesk/v1/staff`, `clinicdesk/v1/notes`, `clinicdesk/v1/settings` and the public
 *   `clinicdesk/v1/consultation` (with `clinicdesk/v1/consultation/token`);
 * - the consultation form: the shortcode `[clinicdesk_consultation_form]` and the block
 *   `clinicdesk/consultation-form`, with or without JavaScript.
 *
 * Inquiries are health information: nobody without `clinicdesk_manage_inquiries` can read, list or
 * count them through any route, and no inquiry field is ever rendered as HTML by this plugin.
 *
 * This file is the header and the bootstrap; each concern lives in its own file under includes/.
 *
 * Copyright (C) ClinicDesk contributors. This program is free software: you can redistribute it
 * and/or modify it under the terms of the GNU General Public License as published by the Free
 * Software Foundation, either version 2 of the License, or (at your option) any later version.
 *
 * @package ClinicDesk
 */

defined( 'ABSPATH' ) || exit;

// Loaded twice (say, as a regular plugin and through the must-use loader)? The first copy wins:
// the includes below are only compiled when required, so returning here declares nothing twice.
if ( defined( 'CLINICDESK_VERSION' ) ) {
	return;
}

define( 'CLINICDESK_VERSION', '1.2.0' );
/**
 * The schema version: bumped whenever the roles, capabilities or tables change, and migrated to
 * once (clinicdesk_maybe_upgrade()). 1: the notes table and the roles. 2: the rate-limit table.
 */
define( 'CLINICDESK_SCHEMA_VERSION', 2 );
define( 'CLINICDESK_FILE', __FILE__ );
define( 'CLINICDESK_DIR', __DIR__ );

define( 'CLINICDESK_POST_TYPE', 'clinicdesk_inquiry' );
define( 'CLINICDESK_CAP_MANAGE', 'clinicdesk_manage_inquiries' );
define( 'CLINICDESK_CAP_DELETE', 'clinicdesk_delete_inquiries' );
define( 'CLINICDESK_ROLE', 'clinicdesk_intake' );
define( 'CLINICDESK_NAMESPACE', 'clinicdesk/v1' );

define( 'CLINICDESK_TRIAGE_STATUSES', array( 'new', 'contacted', 'scheduled', 'referred', 'closed', 'spam' ) );
define( 'CLINICDESK_CONTACT_METHODS', array( 'email', 'phone', 'text' ) );
define( 'CLINICDESK_NOTE_KINDS', array( 'note', 'status', 'assign', 'urgent', 'acknowledge' ) );
// Who wrote a note: a person, or ClinicDesk itself (its automatic crisis flag, stored with author 0).
define( 'CLINICDESK_NOTE_BY', array( 'user', 'system' ) );
define( 'CLINICDESK_DEFAULT_RATE', '5/600' );
define( 'CLINICDESK_CLIENT_ID_LENGTH', 64 );
/** The form's timing token: accepted at least this many seconds after it was handed out (a setting)... */
define( 'CLINICDESK_DEFAULT_MIN_SECONDS', 3 );
/** ...and at most this long after (a page cache may serve an old one: the form then asks again). */
define( 'CLINICDESK_FORM_TOKEN_LIFETIME', 12 * HOUR_IN_SECONDS );
/** The states a clinic serves until it says otherwise. */
define( 'CLINICDESK_DEFAULT_STATES', 'TX' );
/** The form's insurance and reason lists until the clinic writes its own (one per line). */
define( 'CLINICDESK_DEFAULT_INSURERS', "Aetna\nBlue Cross Blue Shield\nCigna\nMedicaid\nMedicare\nUnitedHealthcare\nSelf-pay" );
define( 'CLINICDESK_DEFAULT_REASONS', "Anxiety\nDepression\nRelationships\nTrauma\nGrief and loss\nStress at work or school" );
/** The inquiry meta keys that hold what the person submitted: written once, by the form. */
define( 'CLINICDESK_SUBMITTED_FIELDS', array( 'first_name', 'last_name', 'email', 'phone', 'preferred_contact', 'state', 'insurance', 'reason', 'message', 'consent', 'received_gmt' ) );
/** The inquiry meta keys staff write (with `clinicdesk_client_id`). */
define( 'CLINICDESK_TRIAGE_FIELDS', array( 'triage_status', 'assignee', 'urgent', 'unread' ) );

/**
 * Two-letter USPS codes: the states, the District of Columbia, the territories and the military
 * "states". The form may also leave the state empty.
 */
define(
	'CLINICDESK_STATES',
	array(
		'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS',
		'KY', 'LA', 'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY',
		'NC', 'ND', 'OH', 'OK', 'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV',
		'WI', 'WY', 'DC', 'AS', 'GU', 'MP', 'PR', 'VI', 'AA', 'AE', 'AP',
	)
);

require_once __DIR__ . '/includes/text.php';
require_once __DIR__ . '/includes/settings.php';
require_once __DIR__ . '/includes/roles.php';
require_once __DIR__ . '/includes/install.php';
require_once __DIR__ . '/includes/post-type.php';
require_once __DIR__ . '/includes/rest-inquiries.php';
require_once __DIR__ . '/includes/rest.php';
require_once __DIR__ . '/includes/notes.php';
require_once __DIR__ . '/includes/rate-limit.php';
require_once __DIR__ . '/includes/consultation.php';
require_once __DIR__ . '/includes/notify.php';
require_once __DIR__ . '/includes/form.php';
require_once __DIR__ . '/includes/privacy.php';

register_activation_hook( __FILE__, 'clinicdesk_activate' );

/**
 * Loads the plugin's translations (languages/clinicdesk-LOCALE.mo, or WordPress's own folder).
 */
function clinicdesk_load_textdomain(): void {
	load_plugin_textdomain( 'clinicdesk', false, dirname( plugin_basename( __FILE__ ) ) . '/languages' );
}
add_action( 'init', 'clinicdesk_load_textdomain', 0 );
