import type { paths } from './schema';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type DirectoryPage = Json<paths['/v1/organizations/{org}/administrators']['get']['responses'][200]>;
export type DirectoryRow = DirectoryPage['data'][number];
export type ApiUserPage = Json<paths['/v1/organizations/{org}/api-users']['get']['responses'][200]>;
export type ApiUserRow = ApiUserPage['data'][number];
export type ApiUser = Json<paths['/v1/organizations/{org}/api-users/{id}']['get']['responses'][200]>;
export type Application = Json<paths['/v1/organizations/{org}/applications']['get']['responses'][200]>['data'][number];
export type NewApiUser = NonNullable<paths['/v1/organizations/{org}/api-users']['post']['requestBody']>['content']['application/json'];
