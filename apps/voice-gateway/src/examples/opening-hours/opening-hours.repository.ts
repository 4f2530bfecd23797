import { Injectable } from '@nestjs/common';
import { SHOP_HOURS, type ShopHours } from './opening-hours.data';

/**
 * The data edge for opening hours. Reads the bundled constant; swap the provider (or this class) for
 * one that reads a database or an API. Asynchronous on purpose, so a real source fits the same shape.
 */
@Injectable()
export class OpeningHoursRepository {
  getShopHours(): Promise<ShopHours> {
    return Promise.resolve(SHOP_HOURS);
  }
}
