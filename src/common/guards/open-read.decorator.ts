import { SetMetadata } from '@nestjs/common';

export const OPEN_READ = 'hr:open-read';

/** Reads of this controller or route stay open even when READ_API_KEY is set (health, dashboard page). */
export const OpenRead = (): MethodDecorator & ClassDecorator => SetMetadata(OPEN_READ, true);
