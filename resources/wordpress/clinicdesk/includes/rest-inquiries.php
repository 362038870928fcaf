<?php
/**
 * REST: the inquiries collection, `clinicdesk_client_id` on posts and media, stable paging.
 *
 * @package ClinicDesk
 */

defined( 'ABSPATH' ) || exit;

/* -------------------------------------------------------------------------------------------------
 * REST: the inquiries collection.
 * ------------------------------------------------------------------------------------------ */

/**
 * `private` is the default status of the inquiries collection (stock WordPress says `publish`).
 *
 * @param array<string, mixed> $params The collection parameters.
 * @return array<string, mixed>
 */
function clinicdesk_inquiry_collection_params( $params ) {
	if ( isset( $params['status'] ) && is_array( $params['status'] ) ) {
		$params['status']['default'] = 'private';
	}
	return $params;
}
add_filter( 'rest_' . CLINICDESK_POST_TYPE . '_collection_params', 'clinicdesk_inquiry_collection_params' );

/**
 * An inquiry can only be written as `private` (the trash is reached with DELETE): any other
 * `status` in a create or update is a 400 `rest_invalid_param` rather than silently changed.
 *
 * @param array<string, mixed> $schema The inquiry item schema.
 * @return array<string, mixed>
 */
function clinicdesk_inquiry_item_schema( $schema ) {
	if ( isset( $schema['properties']['status'] ) && is_array( $schema['properties']['status'] ) ) {
		$schema['properties']['status']['enum'] = array( 'private' );
	}
	return $schema;
}
add_filter( 'rest_' . CLINICDESK_POST_TYPE . '_item_schema', 'clinicdesk_inquiry_item_schema' );

/**
 * Refuses every inquiry route (the collection, an item, its autosaves, in batches too; the notes
 * and the staff list) to anyone without the capability, before WordPress even validates the
 * parameters: 401 signed out, 403 signed in. Stock WordPress would answer an anonymous list of the
 * (private by default) collection with 200, an empty page and an `X-WP-Total` that counts the
 * inquiries; and it validates arguments before asking the permission callback.
 *
 * @param mixed           $result  A response already decided by another filter, or null.
 * @param WP_REST_Server  $server  The server.
 * @param WP_REST_Request $request The request.
 * @return mixed
 */
function clinicdesk_guard_inquiry_routes( $result, $server, $request ) {
	if ( null !== $result || ! $request instanceof WP_REST_Request ) {
		return $result;
	}
	// Routes match case-insensitively in WP_REST_Server::match_request_to_handler(), so must this.
	if ( ! preg_match( '#^/(?:wp/v2/inquiries|wp/v2/types/' . CLINICDESK_POST_TYPE . '|clinicdesk/v1/notes|clinicdesk/v1/staff)(?:/|$)#i', $request->get_route() ) ) {
		return $result;
	}
	if ( clinicdesk_current_user_can_manage() ) {
		return $result;
	}
	return new WP_Error(
		'rest_forbidden',
		__( 'Sorry, you are not allowed to do that.', 'clinicdesk' ),
		array( 'status' => rest_authorization_required_code() )
	);
}
add_filter( 'rest_pre_dispatch', 'clinicdesk_guard_inquiry_routes', 5, 3 );

/**
 * Validates the `meta` object of an inquiry write before anything is saved, so that a value of the
 * wrong type or outside its values is a 400 `rest_invalid_param` naming `meta` (stock WordPress
 * checks meta only after saving the post, with codes like `rest_not_in_enum`).
 *
 * @param mixed           $value   The `meta` parameter.
 * @param WP_REST_Request $request The request.
 * @param string          $param   The parameter name.
 * @return true|WP_Error
 */
function clinicdesk_validate_inquiry_meta( $value, $request, $param ) {
	if ( ! is_array( $value ) || ( array() !== $value && wp_is_numeric_array( $value ) ) ) {
		return new WP_Error( 'rest_invalid_type', sprintf( /* translators: %s: a field name. */ __( '%s is not of type object.', 'clinicdesk' ), $param ) );
	}
	$fields = clinicdesk_inquiry_meta_fields();
	foreach ( $value as $key => $item ) {
		if ( ! isset( $fields[ $key ] ) ) {
			continue; // Unknown keys are ignored, as WordPress ignores unknown fields.
		}
		if ( in_array( $key, CLINICDESK_SUBMITTED_FIELDS, true ) ) {
			return new WP_Error(
				'rest_invalid_param',
				/* translators: %s: a field name such as meta.message. */
				sprintf( __( '%s is what the person sent through the form; it cannot be changed.', 'clinicdesk' ), $param . '.' . $key )
			);
		}
		$valid = rest_validate_value_from_schema( $item, $fields[ $key ]['schema'], $param . '.' . $key );
		if ( is_wp_error( $valid ) ) {
			return $valid;
		}
		if ( 'received_gmt' === $key && false === rest_parse_date( (string) $item, true ) ) {
			return new WP_Error( 'rest_invalid_date', __( 'Invalid date.', 'clinicdesk' ) );
		}
		if ( 'email' === $key && ! is_email( $item ) ) {
			return new WP_Error( 'rest_invalid_email', __( 'Invalid email address.', 'clinicdesk' ) );
		}
		if ( 'assignee' === $key && (int) $item > 0 && ! user_can( (int) $item, CLINICDESK_CAP_MANAGE ) ) {
			return new WP_Error( 'rest_invalid_param', sprintf( /* translators: %s: a field name. */ __( '%s.assignee is not a staff member.', 'clinicdesk' ), $param ) );
		}
	}
	return true;
}

/**
 * Puts {@see clinicdesk_validate_inquiry_meta()} on the `meta` argument of the inquiry routes.
 *
 * @param array<string, mixed> $endpoints The routes and their handlers.
 * @return array<string, mixed>
 */
function clinicdesk_inquiry_endpoints( $endpoints ) {
	foreach ( array( '/wp/v2/inquiries', '/wp/v2/inquiries/(?P<id>[\d]+)' ) as $route ) {
		if ( ! isset( $endpoints[ $route ] ) || ! is_array( $endpoints[ $route ] ) ) {
			continue;
		}
		foreach ( $endpoints[ $route ] as $index => $handler ) {
			if ( ! is_int( $index ) || ! is_array( $handler ) || ! isset( $handler['args'] ) ) {
				continue;
			}
			if ( isset( $handler['args']['meta'] ) ) {
				$endpoints[ $route ][ $index ]['args']['meta']['validate_callback'] = 'clinicdesk_validate_inquiry_meta';
			}
			foreach ( CLINICDESK_FIXED_FIELDS as $field ) {
				if ( isset( $handler['args'][ $field ] ) ) {
					$endpoints[ $route ][ $index ]['args'][ $field ]['validate_callback'] = 'clinicdesk_refuse_fixed_field';
				}
			}
		}
	}
	// No autosaves or revisions of inquiries: an autosave would be a second copy of an inquiry
	// outside its guard, and staff have nothing to draft.
	foreach ( array_keys( $endpoints ) as $route ) {
		if ( preg_match( '#^/wp/v2/inquiries/.*/(?:autosaves|revisions)#', (string) $route ) ) {
			unset( $endpoints[ $route ] );
		}
	}
	return $endpoints;
}

/** Fields of an inquiry record that no REST write may set (the form and the plugin set them). */
const CLINICDESK_FIXED_FIELDS = array( 'date', 'date_gmt', 'slug', 'password', 'title', 'content', 'excerpt', 'author', 'template' );

/**
 * Refuses a write of a field of an inquiry record that is the form's or the plugin's to set.
 *
 * @param mixed           $value   The value sent.
 * @param WP_REST_Request $request The request.
 * @param string          $param   The field.
 * @return true|WP_Error
 */
function clinicdesk_refuse_fixed_field( $value, $request, $param ) {
	return new WP_Error(
		'rest_invalid_param',
		/* translators: %s: a field name such as date_gmt. */
		sprintf( __( '%s of an inquiry cannot be changed.', 'clinicdesk' ), $param )
	);
}

/**
 * The anonymous (or any non-staff) index of post types does not list inquiries.
 *
 * @param mixed           $response The response.
 * @param WP_REST_Server  $server   The server.
 * @param WP_REST_Request $request  The request.
 * @return mixed
 */
function clinicdesk_hide_type_from_index( $response, $server, $request ) {
	if ( ! $response instanceof WP_REST_Response || ! $request instanceof WP_REST_Request || clinicdesk_current_user_can_manage() ) {
		return $response;
	}
	if ( ! preg_match( '#^/wp/v2/types/?$#i', $request->get_route() ) ) {
		return $response;
	}
	$data = $response->get_data();
	if ( is_array( $data ) && isset( $data[ CLINICDESK_POST_TYPE ] ) ) {
		unset( $data[ CLINICDESK_POST_TYPE ] );
		$response->set_data( $data );
	}
	return $response;
}
add_filter( 'rest_post_dispatch', 'clinicdesk_hide_type_from_index', 10, 3 );
add_filter( 'rest_endpoints', 'clinicdesk_inquiry_endpoints' );

/* -------------------------------------------------------------------------------------------------
 * REST: `clinicdesk_client_id` on posts and media.
 * ------------------------------------------------------------------------------------------ */

/**
 * Adds the `clinicdesk_client_id` parameter to the posts and media collections.
 *
 * @param array<string, mixed> $params The collection parameters.
 * @return array<string, mixed>
 */
function clinicdesk_post_collection_params( $params ) {
	$params['clinicdesk_client_id'] = array(
		'description' => 'Limit the result to records created with this ClinicDesk client id (a UUID).',
		'type'        => 'string',
		'maxLength'   => CLINICDESK_CLIENT_ID_LENGTH,
	);
	return $params;
}
add_filter( 'rest_post_collection_params', 'clinicdesk_post_collection_params' );
add_filter( 'rest_attachment_collection_params', 'clinicdesk_post_collection_params' );

/**
 * Applies `clinicdesk_client_id`: only records whose meta equals it, in any status but trash
 * unless the request names a status (and the user may see unpublished records).
 *
 * @param array<string, mixed> $args    WP_Query arguments.
 * @param WP_REST_Request      $request The request.
 * @return array<string, mixed>
 */
function clinicdesk_post_query( $args, $request ) {
	$client_id = $request->get_param( 'clinicdesk_client_id' );
	if ( ! is_string( $client_id ) || '' === $client_id ) {
		return $args;
	}
	$meta_query   = isset( $args['meta_query'] ) && is_array( $args['meta_query'] ) ? $args['meta_query'] : array();
	$meta_query[] = array(
		'key'     => 'clinicdesk_client_id',
		'value'   => $client_id,
		'compare' => '=',
	);
	$args['meta_query'] = $meta_query; // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_query
	$explicit_status    = false;
	foreach ( array( $request->get_query_params(), $request->get_body_params(), $request->get_json_params() ) as $given ) {
		if ( is_array( $given ) && isset( $given['status'] ) ) {
			$explicit_status = true;
		}
	}
	$type = get_post_type_object( isset( $args['post_type'] ) && is_string( $args['post_type'] ) ? $args['post_type'] : 'post' );
	if ( ! $explicit_status && $type && current_user_can( $type->cap->edit_posts ) ) {
		$args['post_status'] = 'any';
	}
	return $args;
}
add_filter( 'rest_post_query', 'clinicdesk_post_query', 10, 2 );
add_filter( 'rest_attachment_query', 'clinicdesk_post_query', 10, 2 );

/* -------------------------------------------------------------------------------------------------
 * REST: stable paging of posts and inquiries.
 * ------------------------------------------------------------------------------------------ */

/**
 * Orders post and inquiry listings by the requested column, then by id in the same direction.
 *
 * Stock WordPress orders on the one column. `modified` and `date` have 1-second resolution, so
 * records saved in the same second tie, and MySQL returns ties in an order that may differ from
 * one `LIMIT ... OFFSET` to the next: paging then lists some records twice and others never,
 * without anything changing on the site. The app pages through `orderby=modified` to sync.
 *
 * @param array<string, mixed> $args    WP_Query arguments.
 * @param WP_REST_Request      $request The request.
 * @return array<string, mixed>
 */
function clinicdesk_stable_order( $args, $request ) {
	$orderby = isset( $args['orderby'] ) ? $args['orderby'] : '';
	if ( ! is_string( $orderby ) || ! in_array( $orderby, array( 'date', 'modified', 'title', 'author', 'parent', 'post_name' ), true ) ) {
		return $args; // Already unique (ID), or an order of its own (include, relevance, an array).
	}
	$order           = isset( $args['order'] ) && 'ASC' === strtoupper( (string) $args['order'] ) ? 'ASC' : 'DESC';
	$args['orderby'] = array(
		$orderby => $order,
		'ID'     => $order,
	);
	return $args;
}
add_filter( 'rest_post_query', 'clinicdesk_stable_order', 20, 2 );
add_filter( 'rest_' . CLINICDESK_POST_TYPE . '_query', 'clinicdesk_stable_order', 20, 2 );
