// Nest 10's GraphQL (Apollo), microservices and WebSockets (socket.io), from this package's own resolution: for
// the tables of guards and @Flags() outside plain HTTP routes. Loaded on demand (they are heavy to import).
import * as apollo from '@nestjs/apollo';
import * as graphql from '@nestjs/graphql';
import * as microservices from '@nestjs/microservices';
import * as platformSocketIo from '@nestjs/platform-socket.io';
import * as websockets from '@nestjs/websockets';

export const contexts = { apollo, graphql, microservices, platformSocketIo, websockets };
