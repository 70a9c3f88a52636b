# TEMPORARY STUB until the open-data module lands
def open_data_files(site):
    return {}


def data_catalogue(site):
    return []
