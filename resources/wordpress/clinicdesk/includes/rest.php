<?php
/**
 * REST: the clinicdesk/v1 namespace (staff, notes, consultation) and its argument helpers.
 *
 * @package ClinicDesk
 */

defined( 'ABSPATH' ) || exit;

/* -------------------------------------------------------------------------------------------------
 * REST: clinicdesk/v1.
 * ------------------------------------------------------------------------------------------ */

/** Permission callback of the staff and notes routes. */
function clinicdesk_staff_permission(): bool {
	return clinicdesk_current_user_can_manage();
}

/**
 * Gives every argument schema validation as its validate_callback (without one an argument is
 * only checked while being sanitized, after the others were validated, so one
 * `rest_invalid_param` would not name every bad field), and a sanitize_callback that trims
 * strings.
 *
 * @param array<string, array<string, mixed>> $args      Route arguments.
 * @param callable                            $validator The validate_callback to give.
 * @return array<string, array<string, mixed>>
 */
function clinicdesk_validated_args( array $args, $validator = 'rest_validate_request_arg' ): array {
	foreach ( $args as $name => $arg ) {
		if ( ! isset( $arg['validate_callback'] ) ) {
			$args[ $name ]['validate_callback'] = $validator;
		}
		if ( ! isset( $arg['sanitize_callback'] ) ) {
			$args[ $name ]['sanitize_callback'] = 'clinicdesk_sanitize_trimmed';
		}
	}
	return $args;
}

/** Registers the clinicdesk/v1 routes. */
function clinicdesk_register_routes(): void {
	register_rest_route(
		CLINICDESK_NAMESPACE,
		'/staff',
		array(
			'methods'             => WP_REST_Server::READABLE,
			'callback'            => 'clinicdesk_rest_staff',
			'permission_callback' => 'clinicdesk_staff_permission',
		)
	);

	register_rest_route(
		CLINICDESK_NAMESPACE,
		'/notes',
		array(
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => 'clinicdesk_rest_list_notes',
				'permission_callback' => 'clinicdesk_staff_permission',
				'args'                => clinicdesk_validated_args( clinicdesk_note_list_args() ),
			),
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => 'clinicdesk_rest_create_note',
				'permission_callback' => 'clinicdesk_staff_permission',
				'args'                => clinicdesk_validated_args( clinicdesk_note_create_args() ),
			),
		)
	);

	register_rest_route(
		CLINICDESK_NAMESPACE,
		'/settings',
		array(
			'methods'             => WP_REST_Server::READABLE,
			'callback'            => 'clinicdesk_rest_settings',
			'permission_callback' => 'clinicdesk_staff_permission',
		)
	);

	register_rest_route(
		CLINICDESK_NAMESPACE,
		'/consultation',
		array(
			'methods'             => WP_REST_Server::CREATABLE,
			'callback'            => 'clinicdesk_rest_consultation',
			'permission_callback' => '__return_true',
			'args'                => clinicdesk_validated_args( clinicdesk_consultation_args(), 'clinicdesk_validate_trimmed' ),
		)
	);
}
add_action( 'rest_api_init', 'clinicdesk_register_routes' );

/**
 * `GET clinicdesk/v1/settings`: what the app needs of the form's settings (staff only).
 */
function clinicdesk_rest_settings(): WP_REST_Response {
	return new WP_REST_Response(
		array(
			'states'    => clinicdesk_served_states(),
			'insurers'  => clinicdesk_setting_lines( 'clinicdesk_insurers', CLINICDESK_DEFAULT_INSURERS ),
			'reasons'   => clinicdesk_setting_lines( 'clinicdesk_reasons', CLINICDESK_DEFAULT_REASONS ),
			'languages' => array( 'en', 'es' ),
		)
	);
}

/**
 * `GET clinicdesk/v1/staff`: every user who holds the inquiry capability, ordered by name.
 */
function clinicdesk_rest_staff(): WP_REST_Response {
	$users = get_users(
		array(
			'capability' => CLINICDESK_CAP_MANAGE,
			'orderby'    => array(
				'display_name' => 'ASC',
				'ID'           => 'ASC',
			),
			'number'     => -1,
		)
	);
	$staff = array();
	foreach ( $users as $user ) {
		$staff[] = array(
			'id'    => (int) $user->ID,
			'name'  => (string) $user->display_name,
			'slug'  => (string) $user->user_nicename,
			'roles' => array_values( (array) $user->roles ),
		);
	}
	return new WP_REST_Response( $staff, 200 );
}


/**
 * `rest_validate_request_arg()` on the value as it will be stored: a string is trimmed first, so
 * " TX" is a state and a name of 100 letters and a trailing space is not too long.
 *
 * @param mixed           $value   The value.
 * @param WP_REST_Request $request The request.
 * @param string          $param   The parameter name.
 * @return true|WP_Error
 */
function clinicdesk_validate_trimmed( $value, $request, $param ) {
	$attributes = $request->get_attributes();
	if ( ! isset( $attributes['args'][ $param ] ) || ! is_array( $attributes['args'][ $param ] ) ) {
		return true;
	}
	return rest_validate_value_from_schema( is_string( $value ) ? trim( $value ) : $value, $attributes['args'][ $param ], $param );
}

/**
 * The sanitize_callback that goes with {@see clinicdesk_validate_trimmed()} (WordPress's default,
 * `rest_parse_request_arg()`, would validate the untrimmed value again).
 *
 * @param mixed           $value   The value.
 * @param WP_REST_Request $request The request.
 * @param string          $param   The parameter name.
 * @return mixed
 */
function clinicdesk_sanitize_trimmed( $value, $request, $param ) {
	$attributes = $request->get_attributes();
	if ( ! isset( $attributes['args'][ $param ] ) || ! is_array( $attributes['args'][ $param ] ) ) {
		return $value;
	}
	return rest_sanitize_value_from_schema( is_string( $value ) ? trim( $value ) : $value, $attributes['args'][ $param ], $param );
}

/**
 * Declares the plugin's version in the REST index (`GET /wp-json/`), so the desktop app can warn
 * when the site runs a plugin older than it needs. The version is public on the plugin's own
 * readme too; nothing else is added.
 *
 * @param WP_REST_Response $response The index.
 * @return WP_REST_Response
 */
function clinicdesk_rest_index_version( $response ) {
	if ( $response instanceof WP_REST_Response ) {
		$data                              = $response->get_data();
		$data['clinicdesk_plugin_version'] = CLINICDESK_VERSION;
		$response->set_data( $data );
	}
	return $response;
}
add_filter( 'rest_index', 'clinicdesk_rest_index_version' );
