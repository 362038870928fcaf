<?php
/**
 * Roles and capabilities: the intake role, and who else handles inquiries.
 *
 * Capabilities are stored by WordPress in the roles option, where an administrator (or a role
 * editor plugin) may change them. The plugin writes them only when it is activated, when its
 * schema version changes (install.php), and when the setting "Editors handle inquiries" changes:
 * never on an ordinary request, so an administrator's choice holds.
 *
 * @package ClinicDesk
 */

defined( 'ABSPATH' ) || exit;

/**
 * Adds the intake role (reading and handling inquiries, never deleting them) if it is missing.
 */
function clinicdesk_add_intake_role(): void {
	if ( null !== get_role( CLINICDESK_ROLE ) ) {
		return;
	}
	add_role(
		CLINICDESK_ROLE,
		__( 'Intake specialist', 'clinicdesk' ),
		array(
			'read'                => true,
			CLINICDESK_CAP_MANAGE => true,
		)
	);
}

/**
 * Administrators handle and delete inquiries.
 */
function clinicdesk_grant_administrators(): void {
	$role = get_role( 'administrator' );
	if ( null === $role ) {
		return;
	}
	foreach ( array( CLINICDESK_CAP_MANAGE, CLINICDESK_CAP_DELETE ) as $cap ) {
		if ( ! $role->has_cap( $cap ) ) {
			$role->add_cap( $cap );
		}
	}
}

/**
 * Whether editors handle inquiries: the setting, then the filter `clinicdesk_editors_handle_inquiries`
 * (a site's code may decide it for good: `add_filter( 'clinicdesk_editors_handle_inquiries', '__return_false' )`).
 */
function clinicdesk_editors_handle_inquiries(): bool {
	$setting = rest_sanitize_boolean( get_option( 'clinicdesk_editors_handle_inquiries', true ) );
	/**
	 * Filters whether the editor role gets the inquiry capabilities when the plugin installs,
	 * upgrades, or the setting changes.
	 *
	 * @param bool $handle The setting "Editors handle inquiries".
	 */
	return (bool) apply_filters( 'clinicdesk_editors_handle_inquiries', $setting );
}

/**
 * Gives the editor role both inquiry capabilities, or takes them away, as decided by
 * {@see clinicdesk_editors_handle_inquiries()}.
 */
function clinicdesk_apply_editor_caps(): void {
	$role = get_role( 'editor' );
	if ( null === $role ) {
		return;
	}
	$grant = clinicdesk_editors_handle_inquiries();
	foreach ( array( CLINICDESK_CAP_MANAGE, CLINICDESK_CAP_DELETE ) as $cap ) {
		if ( $grant && ! $role->has_cap( $cap ) ) {
			$role->add_cap( $cap );
		} elseif ( ! $grant && $role->has_cap( $cap ) ) {
			$role->remove_cap( $cap );
		}
	}
}
add_action( 'update_option_clinicdesk_editors_handle_inquiries', 'clinicdesk_apply_editor_caps' );

/**
 * Whether the current user holds the inquiry capability.
 */
function clinicdesk_current_user_can_manage(): bool {
	return current_user_can( CLINICDESK_CAP_MANAGE );
}
